import { z } from 'zod';
import { idSchema, moneySchema, timestampSchema } from './fields';

/** A product's selling price changed (SetPrice with a different unit price). */
export const PRICE_CHANGED_V1 = 'price.changed.v1';

export const priceChangedV1Schema = z.object({
  productId: idSchema,
  listPrice: moneySchema,
  discountBps: z.int().min(0).max(10_000),
  unitPrice: moneySchema,
  /** Absent for a product's first price. */
  previousUnitPrice: moneySchema.optional(),
  changedAt: timestampSchema,
});

export type PriceChangedV1 = z.infer<typeof priceChangedV1Schema>;
