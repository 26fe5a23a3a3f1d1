import { z } from 'zod';
import { addressSchema, idSchema, timestampSchema } from './fields';

/** A shipment was created for a confirmed order (status CREATED). */
export const SHIPMENT_CREATED_V1 = 'shipment.created.v1';

export const shipmentCreatedV1Schema = z.object({
  shipmentId: idSchema,
  orderId: idSchema,
  customerId: idSchema,
  address: addressSchema.optional(),
  createdAt: timestampSchema,
});

export type ShipmentCreatedV1 = z.infer<typeof shipmentCreatedV1Schema>;
