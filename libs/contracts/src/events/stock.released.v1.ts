import { z } from 'zod';
import { idSchema, itemLineSchema, timestampSchema } from './fields';

/**
 * Units of an order went back to `available`: a reservation was released or expired, or sold
 * units were restocked after a commit.
 */
export const STOCK_RELEASED_V1 = 'stock.released.v1';

export const stockReleasedV1Schema = z.object({
  reservationId: idSchema,
  orderId: idSchema,
  /** RELEASED: ReleaseReservation; EXPIRED: the TTL ran out; RESTOCKED: RestockOrder. */
  cause: z.enum(['RELEASED', 'EXPIRED', 'RESTOCKED']),
  reason: z.string(),
  lines: z.array(itemLineSchema).min(1),
  releasedAt: timestampSchema,
});

export type StockReleasedV1 = z.infer<typeof stockReleasedV1Schema>;
