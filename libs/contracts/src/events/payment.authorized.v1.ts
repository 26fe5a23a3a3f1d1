import { z } from 'zod';
import { idSchema, moneySchema, timestampSchema } from './fields';

/** The amount is held on the payment method. */
export const PAYMENT_AUTHORIZED_V1 = 'payment.authorized.v1';

export const paymentAuthorizedV1Schema = z.object({
  paymentId: idSchema,
  orderId: idSchema,
  customerId: idSchema,
  amount: moneySchema,
  paymentMethod: z.string(),
  authorizedAt: timestampSchema,
});

export type PaymentAuthorizedV1 = z.infer<typeof paymentAuthorizedV1Schema>;
