import { z } from 'zod';
import { addressSchema, idSchema, itemLineSchema, moneySchema, timestampSchema } from './fields';

/** Stock is committed and the payment captured (status CONFIRMED); shipping creates the shipment. */
export const ORDER_CONFIRMED_V1 = 'order.confirmed.v1';

export const orderConfirmedV1Schema = z.object({
  orderId: idSchema,
  customerId: idSchema,
  lines: z.array(itemLineSchema).min(1),
  total: moneySchema,
  shippingAddress: addressSchema.optional(),
  confirmedAt: timestampSchema,
});

export type OrderConfirmedV1 = z.infer<typeof orderConfirmedV1Schema>;
