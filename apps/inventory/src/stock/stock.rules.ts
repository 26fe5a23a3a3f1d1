import { invalidArgument, isUuid } from '@ordermesh/service-kit';
import type { ReservationState } from './stock.entities';

// Validation and the reservation state machine: pure, so they are unit-tested without a database.

/** GetStockLevels: at most this many ids (ordermesh.inventory.v1.GetStockLevelsRequest). */
export const MAX_LOOKUP_IDS = 100;
export const MAX_STOCK_QUANTITY = 1_000_000;
export const MAX_RESERVATION_LINES = 50;
export const MAX_LINE_QUANTITY = 1_000;
/** ttl_seconds = 0 means this (ReserveStockRequest.ttl_seconds). */
export const DEFAULT_TTL_SECONDS = 900;
export const MAX_TTL_SECONDS = 86_400;
export const MAX_REASON_LENGTH = 500;
/** release_reason of reservations the sweeper expired. */
export const EXPIRED_REASON = 'expired';

export interface Line {
  productId: string;
  quantity: number;
}

export interface ReserveInput {
  orderId: string;
  /** Sorted by product id: every transaction locks stock rows in this order (no deadlocks). */
  lines: Line[];
  ttlSeconds: number;
}

const isInt = (value: unknown): value is number => Number.isInteger(value);

/** Canonical (lower-case) form, as PostgreSQL returns uuids. */
const canonical = (id: string): string => id.toLowerCase();

export function byProductId<T extends { productId: string }>(a: T, b: T): number {
  return a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0;
}

function fail(problems: string[]): never {
  throw invalidArgument(problems.join('; '), { problems });
}

export function parseProductId(id: string, field = 'product_id'): string {
  if (!isUuid(id)) fail([`${field} must be a UUID`]);
  return canonical(id);
}

export function parseOrderId(id: string): string {
  return parseProductId(id, 'order_id');
}

/** Distinct canonical ids, in request order; INVALID_ARGUMENT for a malformed id or too many. */
export function parseProductIds(ids: readonly string[]): string[] {
  const problems: string[] = [];
  if (ids.length > MAX_LOOKUP_IDS) problems.push(`at most ${MAX_LOOKUP_IDS} product_ids`);
  const bad = ids.filter((id) => !isUuid(id));
  if (bad.length) problems.push(`product_ids must be UUIDs (${bad.slice(0, 3).join(', ')})`);
  if (problems.length) fail(problems);
  return [...new Set(ids.map(canonical))];
}

export function parseQuantity(quantity: number): number {
  if (!isInt(quantity) || quantity < 0 || quantity > MAX_STOCK_QUANTITY) {
    fail([`quantity must be an integer in 0..${MAX_STOCK_QUANTITY}`]);
  }
  return quantity;
}

export function parseReserve(request: {
  orderId: string;
  lines: readonly Line[];
  ttlSeconds: number;
}): ReserveInput {
  const problems: string[] = [];
  if (!isUuid(request.orderId)) problems.push('order_id must be a UUID');
  const lines = request.lines ?? [];
  if (lines.length < 1 || lines.length > MAX_RESERVATION_LINES) {
    problems.push(`lines must have 1 to ${MAX_RESERVATION_LINES} entries`);
  }
  const seen = new Set<string>();
  lines.forEach((line, index) => {
    if (!isUuid(line.productId)) {
      problems.push(`lines[${index}].product_id must be a UUID`);
    } else if (seen.has(canonical(line.productId))) {
      // Rejected rather than merged: a repeated product is a caller bug worth seeing.
      problems.push(`lines[${index}].product_id ${line.productId} appears more than once`);
    } else {
      seen.add(canonical(line.productId));
    }
    if (!isInt(line.quantity) || line.quantity < 1 || line.quantity > MAX_LINE_QUANTITY) {
      problems.push(`lines[${index}].quantity must be an integer in 1..${MAX_LINE_QUANTITY}`);
    }
  });
  const ttl = request.ttlSeconds ?? 0;
  if (!isInt(ttl) || ttl < 0 || ttl > MAX_TTL_SECONDS) {
    problems.push(
      `ttl_seconds must be 0 (default ${DEFAULT_TTL_SECONDS}) or 1..${MAX_TTL_SECONDS}`,
    );
  }
  if (problems.length) fail(problems);
  return {
    orderId: canonical(request.orderId),
    lines: lines
      .map((line) => ({ productId: canonical(line.productId), quantity: line.quantity }))
      .sort(byProductId),
    ttlSeconds: ttl === 0 ? DEFAULT_TTL_SECONDS : ttl,
  };
}

export function parseReason(reason: string): string {
  const trimmed = (reason ?? '').trim();
  if (trimmed.length > MAX_REASON_LENGTH) {
    fail([`reason must be at most ${MAX_REASON_LENGTH} characters`]);
  }
  return trimmed;
}

export type Operation = 'commit' | 'release' | 'restock';

/**
 * What an operation does to a reservation in `state`:
 * - `apply`: the transition happens (counters move, status changes);
 * - `noop`: already done (idempotent repeat), returned as it is;
 * - `reject`: FAILED_PRECONDITION with the message.
 */
export type Decision =
  | { kind: 'apply'; to: Exclude<ReservationState, 'reserved'> }
  | { kind: 'noop' }
  | { kind: 'reject'; message: string };

export function decide(operation: Operation, state: ReservationState): Decision {
  switch (operation) {
    case 'commit':
      if (state === 'reserved') return { kind: 'apply', to: 'committed' };
      if (state === 'committed') return { kind: 'noop' };
      return { kind: 'reject', message: `reservation is ${state.toUpperCase()}, cannot commit` };
    case 'release':
      if (state === 'reserved') return { kind: 'apply', to: 'released' };
      if (state === 'released' || state === 'expired') return { kind: 'noop' };
      return {
        kind: 'reject',
        message: `reservation is ${state.toUpperCase()}, cannot release (use RestockOrder)`,
      };
    case 'restock':
      if (state === 'committed') return { kind: 'apply', to: 'restocked' };
      if (state === 'restocked') return { kind: 'noop' };
      return {
        kind: 'reject',
        message: `reservation is ${state.toUpperCase()}, only a COMMITTED reservation can be restocked`,
      };
  }
}

/**
 * The counter moves of a transition, per unit of a line: reserve available -> reserved,
 * commit reserved -> sold, release/expiry reserved -> available, restock sold -> available.
 */
export const COUNTER_MOVES: Record<
  Exclude<ReservationState, 'reserved'>,
  { from: 'reserved' | 'sold'; to: 'available' | 'sold' }
> = {
  committed: { from: 'reserved', to: 'sold' },
  released: { from: 'reserved', to: 'available' },
  expired: { from: 'reserved', to: 'available' },
  restocked: { from: 'sold', to: 'available' },
};

/** Sums quantities per product over many reservations (the sweeper), sorted by product id. */
export function mergeLines(lines: readonly Line[]): Line[] {
  const totals = new Map<string, number>();
  for (const { productId, quantity } of lines) {
    totals.set(productId, (totals.get(productId) ?? 0) + quantity);
  }
  return [...totals].map(([productId, quantity]) => ({ productId, quantity })).sort(byProductId);
}
