import type { Request, Response } from 'express';

export interface CartLine {
  productId: string;
  quantity: number;
}

/** The gateway's limits on one order (it refuses more), applied as the cart fills. */
export const MAX_CART_LINES = 50;
export const MAX_LINE_QUANTITY = 1_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One cookie per customer (`om_cart_<customer id>`): a reload, a sign-out and a later sign-in on
 * the same browser find the cart again, and two customers sharing a browser keep theirs apart.
 * It holds only product ids and quantities: prices and stock are read from the API when shown,
 * and the order service prices the order itself, so an edited cookie can only change one's own
 * cart.
 */
export function cartCookieName(customerId: string): string {
  return `om_cart_${customerId.replace(/[^0-9a-f-]/gi, '')}`;
}

export function parseCart(raw: string | undefined): CartLine[] {
  if (!raw) return [];
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  const lines: CartLine[] = [];
  for (const entry of value) {
    if (!Array.isArray(entry) || entry.length !== 2) continue;
    const [productId, quantity] = entry as unknown[];
    if (typeof productId !== 'string' || !UUID.test(productId)) continue;
    if (!Number.isInteger(quantity) || (quantity as number) < 1) continue;
    lines.push({ productId, quantity: Math.min(quantity as number, MAX_LINE_QUANTITY) });
  }
  return mergeDuplicates(lines).slice(0, MAX_CART_LINES);
}

export function serializeCart(lines: readonly CartLine[]): string {
  return Buffer.from(
    JSON.stringify(lines.map((line) => [line.productId, line.quantity])),
    'utf8',
  ).toString('base64url');
}

/** Adds `quantity` of a product (a new line at the end, or more of an existing one). */
export function addToCart(lines: readonly CartLine[], productId: string, quantity: number) {
  if (!UUID.test(productId)) throw new CartError('unknown product');
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_LINE_QUANTITY) {
    throw new CartError(`quantity must be a whole number from 1 to ${MAX_LINE_QUANTITY}`);
  }
  const existing = lines.find((line) => line.productId === productId);
  if (!existing && lines.length >= MAX_CART_LINES) {
    throw new CartError(`a cart holds at most ${MAX_CART_LINES} different products`);
  }
  return existing
    ? lines.map((line) =>
        line === existing
          ? { productId, quantity: Math.min(line.quantity + quantity, MAX_LINE_QUANTITY) }
          : line,
      )
    : [...lines, { productId, quantity }];
}

/** Sets a line's quantity; 0 removes it. */
export function setQuantity(lines: readonly CartLine[], productId: string, quantity: number) {
  if (!Number.isInteger(quantity) || quantity < 0 || quantity > MAX_LINE_QUANTITY) {
    throw new CartError(`quantity must be a whole number from 0 to ${MAX_LINE_QUANTITY}`);
  }
  return quantity === 0
    ? lines.filter((line) => line.productId !== productId)
    : lines.map((line) => (line.productId === productId ? { productId, quantity } : line));
}

export class CartError extends Error {}

function mergeDuplicates(lines: CartLine[]): CartLine[] {
  const byId = new Map<string, number>();
  for (const line of lines) {
    byId.set(
      line.productId,
      Math.min((byId.get(line.productId) ?? 0) + line.quantity, MAX_LINE_QUANTITY),
    );
  }
  return [...byId].map(([productId, quantity]) => ({ productId, quantity }));
}

export function readCart(request: Request, customerId: string): CartLine[] {
  const cookies = request.cookies as Record<string, string> | undefined;
  return parseCart(cookies?.[cartCookieName(customerId)]);
}

export function writeCart(
  response: Response,
  customerId: string,
  lines: readonly CartLine[],
  secure: boolean,
): void {
  const name = cartCookieName(customerId);
  if (lines.length === 0) {
    response.clearCookie(name, { path: '/' });
    return;
  }
  response.cookie(name, serializeCart(lines), {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    maxAge: 30 * 24 * 3600 * 1000,
  });
}
