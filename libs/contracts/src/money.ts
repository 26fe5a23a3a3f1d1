import type { Money } from './generated';

/** Largest amount representable without precision loss (int64 fields are mapped to number). */
export const MAX_AMOUNT_MINOR = Number.MAX_SAFE_INTEGER;

export function money(amountMinor: number, currency: string): Money {
  if (!Number.isSafeInteger(amountMinor))
    throw new RangeError(`amountMinor must be a safe integer: ${amountMinor}`);
  return { amountMinor, currency };
}

/**
 * The pricing rule documented on `ordermesh.pricing.v1.Price.unit_price`:
 * amount * (10000 - discountBps) / 10000, rounded half up to a whole minor unit.
 */
export function applyDiscountBps(amountMinor: number, discountBps: number): number {
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0)
    throw new RangeError(`invalid amount ${amountMinor}`);
  if (!Number.isInteger(discountBps) || discountBps < 0 || discountBps > 10_000) {
    throw new RangeError(`discountBps must be an integer in 0..10000: ${discountBps}`);
  }
  // BigInt keeps amount * 10000 exact above 2^53.
  const scaled = BigInt(amountMinor) * BigInt(10_000 - discountBps);
  return Number((scaled + 5_000n) / 10_000n);
}
