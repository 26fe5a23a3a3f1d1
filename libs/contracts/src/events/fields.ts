import { z } from 'zod';

// Building blocks of the event data schemas. Field names and shapes follow the generated gRPC types
// (camelCase, Money, Address), so values can be copied from gRPC objects.

/** Canonical UUID (all Ordermesh ids). */
export const idSchema = z.uuid();

/** ISO-8601 / RFC 3339 timestamp, e.g. `new Date().toISOString()`. */
export const timestampSchema = z.iso.datetime({ offset: true });

export const moneySchema = z.object({
  amountMinor: z.int().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code'),
});

export const addressSchema = z.object({
  recipientName: z.string(),
  line1: z.string(),
  line2: z.string(),
  city: z.string(),
  region: z.string(),
  postalCode: z.string(),
  countryCode: z.string(),
});

export const quantitySchema = z.int().positive();

/** A product and quantity (stock and shipping lines). */
export const itemLineSchema = z.object({ productId: idSchema, quantity: quantitySchema });

/** A priced order line, as `ordermesh.order.v1.OrderLine`. */
export const orderLineSchema = z.object({
  productId: idSchema,
  name: z.string(),
  quantity: quantitySchema,
  unitPrice: moneySchema,
  lineTotal: moneySchema,
});
