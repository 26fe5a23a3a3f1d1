import { z } from 'zod';
import { idSchema, moneySchema, timestampSchema } from './fields';

/** The authorization was declined (a normal business outcome). */
export const PAYMENT_DECLINED_V1 = 'payment.declined.v1';

export const paymentDeclinedV1Schema = z.object({
  paymentId: idSchema,
  orderId: idSchema,
  customerId: idSchema,
  amount: moneySchema,
  paymentMethod: z.string(),
  reason: z.string().min(1),
  declinedAt: timestampSchema,
});

export type PaymentDeclinedV1 = z.infer<typeof paymentDeclinedV1Schema>;
