import { createHash } from 'node:crypto';
import {
  COUNTRY_CODE,
  IDEMPOTENCY_KEY,
  MAX_LINE_QUANTITY,
  MAX_ORDER_LINES,
  PAYMENT_METHOD,
  TEXT_RULES,
  textProblem,
  type Address,
  type PlaceOrderRequest,
} from '@ordermesh/contracts';
import { isUuid } from '@ordermesh/service-kit';

/** The order rules are the public API's field rules (@ordermesh/contracts), the gateway's too. */
export const MAX_ORDER_ITEMS = MAX_ORDER_LINES;
export { IDEMPOTENCY_KEY, MAX_LINE_QUANTITY, PAYMENT_METHOD };

export interface NormalizedItem {
  productId: string;
  quantity: number;
}

/** A PlaceOrder request that passed validation, with duplicate products merged. */
export interface ValidPlaceOrder {
  customerId: string;
  idempotencyKey: string;
  items: NormalizedItem[];
  paymentMethod: string;
  shippingAddress: Address | null;
}

export type ValidationResult =
  { ok: true; value: ValidPlaceOrder } | { ok: false; problems: string[] };

/**
 * Checks a PlaceOrder request (INVALID_ARGUMENT otherwise): customer UUID, idempotency key 8..128
 * of [A-Za-z0-9_-], 1..50 items with UUID product ids and quantities 1..1000 (also after merging
 * duplicates, which keep the position of their first occurrence), a payment method of 1..64
 * [a-z0-9_-], and a complete shipping address if one is given.
 */
export function validatePlaceOrder(request: PlaceOrderRequest): ValidationResult {
  const problems: string[] = [];
  if (!isUuid(request.customerId ?? '')) problems.push('customer_id must be a UUID');
  if (!IDEMPOTENCY_KEY.test(request.idempotencyKey ?? '')) {
    problems.push('idempotency_key must be 8 to 128 characters of A-Z a-z 0-9 _ -');
  }
  const items = request.items ?? [];
  if (items.length < 1 || items.length > MAX_ORDER_ITEMS) {
    problems.push(`items must contain 1 to ${MAX_ORDER_ITEMS} entries`);
  }
  const merged = new Map<string, number>();
  items.forEach((item, index) => {
    const productId = (item.productId ?? '').toLowerCase();
    if (!isUuid(productId)) problems.push(`items[${index}].product_id must be a UUID`);
    if (
      !Number.isInteger(item.quantity) ||
      item.quantity < 1 ||
      item.quantity > MAX_LINE_QUANTITY
    ) {
      problems.push(`items[${index}].quantity must be an integer from 1 to ${MAX_LINE_QUANTITY}`);
    }
    merged.set(productId, (merged.get(productId) ?? 0) + (item.quantity ?? 0));
  });
  for (const [productId, quantity] of merged) {
    if (quantity > MAX_LINE_QUANTITY && isUuid(productId)) {
      problems.push(
        `product ${productId}: total quantity ${quantity} exceeds ${MAX_LINE_QUANTITY}`,
      );
    }
  }
  if (!PAYMENT_METHOD.test(request.paymentMethod ?? '')) {
    problems.push('payment_method must be 1 to 64 characters of a-z 0-9 _ -');
  }
  const address = request.shippingAddress ?? null;
  if (address) problems.push(...addressProblems(address));
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    value: {
      customerId: request.customerId.toLowerCase(),
      idempotencyKey: request.idempotencyKey,
      items: [...merged].map(([productId, quantity]) => ({ productId, quantity })),
      paymentMethod: request.paymentMethod,
      shippingAddress: address ? normalizeAddress(address) : null,
    },
  };
}

function addressProblems(address: Address): string[] {
  // The shared field rules (the gateway's AddressDto checks the same ones).
  const problems = [
    textProblem(
      'shipping_address.recipient_name',
      address.recipientName ?? '',
      TEXT_RULES.recipientName,
    ),
    textProblem('shipping_address.line1', address.line1 ?? '', TEXT_RULES.addressLine1),
    textProblem('shipping_address.line2', address.line2 ?? '', TEXT_RULES.addressLine2),
    textProblem('shipping_address.city', address.city ?? '', TEXT_RULES.city),
    textProblem('shipping_address.region', address.region ?? '', TEXT_RULES.region),
    textProblem('shipping_address.postal_code', address.postalCode ?? '', TEXT_RULES.postalCode),
  ].filter((problem): problem is string => problem !== undefined);
  if (!COUNTRY_CODE.test(address.countryCode ?? '')) {
    problems.push('shipping_address.country_code must be an ISO 3166-1 alpha-2 code (upper case)');
  }
  return problems;
}

function normalizeAddress(address: Address): Address {
  return {
    recipientName: address.recipientName.trim(),
    line1: address.line1.trim(),
    line2: (address.line2 ?? '').trim(),
    city: address.city.trim(),
    region: (address.region ?? '').trim(),
    postalCode: address.postalCode.trim(),
    countryCode: address.countryCode,
  };
}

/**
 * Fingerprint of what a PlaceOrder request asks for (not of how it was spelled): the same key
 * with the same items (in any order, duplicates merged), payment method and address is a repeat;
 * anything else reusing the key is refused.
 */
export function requestHash(request: ValidPlaceOrder): string {
  const canonical = {
    customerId: request.customerId,
    items: [...request.items]
      .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0))
      .map((item) => [item.productId, item.quantity]),
    paymentMethod: request.paymentMethod,
    shippingAddress: request.shippingAddress
      ? [
          request.shippingAddress.recipientName,
          request.shippingAddress.line1,
          request.shippingAddress.line2,
          request.shippingAddress.city,
          request.shippingAddress.region,
          request.shippingAddress.postalCode,
          request.shippingAddress.countryCode,
        ]
      : null,
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}
