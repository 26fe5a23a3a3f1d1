import { z } from 'zod';
import { idSchema, timestampSchema } from './fields';

/** The shipment left the warehouse (status SHIPPED). */
export const SHIPMENT_SHIPPED_V1 = 'shipment.shipped.v1';

export const shipmentShippedV1Schema = z.object({
  shipmentId: idSchema,
  orderId: idSchema,
  customerId: idSchema,
  trackingNumber: z.string().min(1),
  shippedAt: timestampSchema,
});

export type ShipmentShippedV1 = z.infer<typeof shipmentShippedV1Schema>;
