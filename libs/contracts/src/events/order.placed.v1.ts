import { z } from 'zod';
import { addressSchema, idSchema, moneySchema, orderLineSchema, timestampSchema } from './fields';

/** An order was accepted and priced (status PENDING); the saga starts. */
export const ORDER_PLACED_V1 = 'order.placed.v1';

export const orderPlacedV1Schema = z.object({
  orderId: idSchema,
  customerId: idSchema,
  lines: z.array(orderLineSchema).min(1),
  total: moneySchema,
  paymentMethod: z.string(),
  shippingAddress: addressSchema.optional(),
  placedAt: timestampSchema,
});

export type OrderPlacedV1 = z.infer<typeof orderPlacedV1Schema>;
