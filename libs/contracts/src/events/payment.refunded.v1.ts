import { z } from 'zod';
import { idSchema, moneySchema, timestampSchema } from './fields';

/** An authorization was voided (VOID) or a capture refunded (REFUND). */
export const PAYMENT_REFUNDED_V1 = 'payment.refunded.v1';

export const paymentRefundedV1Schema = z.object({
  paymentId: idSchema,
  orderId: idSchema,
  customerId: idSchema,
  kind: z.enum(['VOID', 'REFUND']),
  /** The released (VOID) or returned (REFUND) amount. */
  amount: moneySchema,
  reason: z.string(),
  refundedAt: timestampSchema,
});

export type PaymentRefundedV1 = z.infer<typeof paymentRefundedV1Schema>;
