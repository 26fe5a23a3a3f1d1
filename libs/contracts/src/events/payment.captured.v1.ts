import { z } from 'zod';
import { idSchema, moneySchema, timestampSchema } from './fields';

/** The authorized amount was captured (charged). */
export const PAYMENT_CAPTURED_V1 = 'payment.captured.v1';

export const paymentCapturedV1Schema = z.object({
  paymentId: idSchema,
  orderId: idSchema,
  customerId: idSchema,
  amount: moneySchema,
  capturedAt: timestampSchema,
});

export type PaymentCapturedV1 = z.infer<typeof paymentCapturedV1Schema>;
