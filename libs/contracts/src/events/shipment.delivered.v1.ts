import { z } from 'zod';
import { idSchema, timestampSchema } from './fields';

/** The shipment was delivered (status DELIVERED). */
export const SHIPMENT_DELIVERED_V1 = 'shipment.delivered.v1';

export const shipmentDeliveredV1Schema = z.object({
  shipmentId: idSchema,
  orderId: idSchema,
  customerId: idSchema,
  trackingNumber: z.string(),
  deliveredAt: timestampSchema,
});

export type ShipmentDeliveredV1 = z.infer<typeof shipmentDeliveredV1Schema>;
