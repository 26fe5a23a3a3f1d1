import { MAX_AMOUNT_MINOR, applyDiscountBps, type Money } from '@ordermesh/contracts';
import { invalidArgument, isUuid } from '@ordermesh/service-kit';

// Validation and the pricing rule: pure, unit-tested without a database.

/** GetPrices: at most this many ids (ordermesh.pricing.v1.GetPricesRequest). */
export const MAX_LOOKUP_IDS = 100;
export const MAX_DISCOUNT_BPS = 10_000;
const CURRENCY = /^[A-Z]{3}$/;

/** What SetPrice stores: the list price, the discount and the unit price derived from both. */
export interface PriceTerms {
  productId: string;
  listAmountMinor: number;
  currency: string;
  discountBps: number;
  unitAmountMinor: number;
}

function fail(problems: string[]): never {
  throw invalidArgument(problems.join('; '), { problems });
}

export function parseSetPrice(request: {
  productId: string;
  listPrice: Money | null | undefined;
  discountBps: number;
}): PriceTerms {
  const problems: string[] = [];
  if (!isUuid(request.productId)) problems.push('product_id must be a UUID');
  const list = request.listPrice;
  if (!list) {
    problems.push('list_price is required');
  } else {
    if (!Number.isSafeInteger(list.amountMinor) || list.amountMinor < 0) {
      problems.push(`list_price.amount_minor must be an integer in 0..${MAX_AMOUNT_MINOR}`);
    }
    if (!CURRENCY.test(list.currency)) {
      problems.push('list_price.currency must be an upper-case ISO 4217 code such as EUR');
    }
  }
  const discountBps = request.discountBps ?? 0;
  if (!Number.isInteger(discountBps) || discountBps < 0 || discountBps > MAX_DISCOUNT_BPS) {
    problems.push(`discount_bps must be an integer in 0..${MAX_DISCOUNT_BPS}`);
  }
  if (problems.length || !list) fail(problems);
  return {
    productId: request.productId.toLowerCase(),
    listAmountMinor: list.amountMinor,
    currency: list.currency,
    discountBps,
    unitAmountMinor: applyDiscountBps(list.amountMinor, discountBps),
  };
}

/** Same stored price (the unit price follows from these). */
export function sameTerms(a: PriceTerms, b: PriceTerms): boolean {
  return (
    a.listAmountMinor === b.listAmountMinor &&
    a.currency === b.currency &&
    a.discountBps === b.discountBps
  );
}

/** Distinct canonical ids, in request order; INVALID_ARGUMENT for a malformed id or too many. */
export function parseProductIds(ids: readonly string[]): string[] {
  const problems: string[] = [];
  if (ids.length > MAX_LOOKUP_IDS) problems.push(`at most ${MAX_LOOKUP_IDS} product_ids`);
  const bad = ids.filter((id) => !isUuid(id));
  if (bad.length) problems.push(`product_ids must be UUIDs (${bad.slice(0, 3).join(', ')})`);
  if (problems.length) fail(problems);
  return [...new Set(ids.map((id) => id.toLowerCase()))];
}
