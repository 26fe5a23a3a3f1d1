// SQL of the order service. Hand-written (no entities): the saga depends on row locks
// (FOR UPDATE [SKIP LOCKED]) and ON CONFLICT semantics that are clearer in SQL than in an ORM.
import {
  OrderStatus,
  OrderStepStatus,
  type Address,
  type Order,
  type OrderLine,
  type OrderStep,
  type TraceContext,
} from '@ordermesh/contracts';
import type { EntityManager } from 'typeorm';
import {
  type CancelCode,
  type OrderStatusName,
  type SagaSnapshot,
  type SagaState,
  type StepRecord,
  type StepStatusName,
  checkStatusChange,
} from './saga/state-machine';

export interface OrderRow {
  id: string;
  customer_id: string;
  status: OrderStatusName;
  saga_state: SagaState;
  cancel_reason: string | null;
  cancel_code: CancelCode | null;
  cancel_requested: boolean;
  payment_method: string;
  /** bigint: pg returns it as a string. */
  total_minor: string;
  currency: string;
  shipping_address: Address | null;
  attempts: number;
  next_attempt_at: Date;
  payment_deadline_at: Date;
  version: number;
  created_at: Date;
  updated_at: Date;
  /** W3C trace context of the placing (or cancelling) request; the saga's steps continue it. */
  trace_context: TraceContext | null;
}

export interface LineRow {
  order_id: string;
  line_no: number;
  product_id: string;
  name: string;
  quantity: number;
  unit_price_minor: string;
  line_total_minor: string;
  currency: string;
}

export interface StepRow {
  order_id: string;
  seq: number;
  step: string;
  status: StepStatusName;
  detail: string;
  at: Date;
}

/**
 * The columns of OrderRow, LineRow and StepRow, named rather than `*`: a named list keeps the
 * statements preparable (ADR 0012) and a new column out of rows that do not know it.
 */
export const ORDER_COLUMNS =
  'id, customer_id, status, saga_state, cancel_reason, cancel_code, cancel_requested, ' +
  'payment_method, total_minor, currency, shipping_address, attempts, next_attempt_at, ' +
  'payment_deadline_at, version, created_at, updated_at, trace_context';
const LINE_COLUMNS =
  'order_id, line_no, product_id, name, quantity, unit_price_minor, line_total_minor, currency';
const STEP_COLUMNS = 'order_id, seq, step, status, detail, at';

export interface NewLine {
  productId: string;
  name: string;
  quantity: number;
  unitPriceMinor: number;
  lineTotalMinor: number;
  currency: string;
}

export interface NewOrder {
  id: string;
  customerId: string;
  paymentMethod: string;
  totalMinor: number;
  currency: string;
  shippingAddress: Address | null;
  /** From placement (database time) until the saga stops trying to authorize the payment. */
  paymentDeadlineMs: number;
  traceContext: TraceContext;
}

export type LockMode = 'none' | 'update' | 'skip-locked';

const LOCKS: Record<LockMode, string> = {
  none: '',
  update: 'FOR UPDATE',
  'skip-locked': 'FOR UPDATE SKIP LOCKED',
};

export async function findOrder(
  manager: EntityManager,
  id: string,
  lock: LockMode = 'none',
): Promise<OrderRow | undefined> {
  const rows = await manager.query<OrderRow[]>(
    `SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1 ${LOCKS[lock]}`,
    [id],
  );
  return rows[0];
}

/**
 * Claims an order whose saga step is due, unless another worker holds it (SKIP LOCKED). `db_now`
 * is the database's clock: deadlines and retry times are all database time, so the clocks of the
 * service's replicas do not matter.
 */
export async function claimDueOrder(
  manager: EntityManager,
  id: string,
): Promise<(OrderRow & { db_now: Date }) | undefined> {
  const rows = await manager.query<(OrderRow & { db_now: Date })[]>(
    `SELECT ${ORDER_COLUMNS}, clock_timestamp() AS db_now FROM orders
     WHERE id = $1 AND saga_state <> 'DONE' AND next_attempt_at <= now()
     FOR UPDATE SKIP LOCKED`,
    [id],
  );
  return rows[0];
}

/** Ids of orders with a due saga step, most overdue first. */
export async function dueOrderIds(manager: EntityManager, limit: number): Promise<string[]> {
  const rows = await manager.query<{ id: string }[]>(
    `SELECT id FROM orders
     WHERE saga_state <> 'DONE' AND next_attempt_at <= now()
     ORDER BY next_attempt_at
     LIMIT $1`,
    [limit],
  );
  return rows.map((row) => row.id);
}

export async function countInflight(manager: EntityManager): Promise<number> {
  const [row] = await manager.query<{ count: string }[]>(
    `SELECT count(*) AS count FROM orders WHERE saga_state <> 'DONE'`,
  );
  return Number(row?.count ?? 0);
}

export async function insertOrder(
  manager: EntityManager,
  order: NewOrder,
  lines: NewLine[],
): Promise<void> {
  await manager.query(
    `INSERT INTO orders (id, customer_id, status, saga_state, payment_method, total_minor, currency,
                         shipping_address, payment_deadline_at, next_attempt_at, trace_context)
     VALUES ($1, $2, 'PENDING', 'RESERVED', $3, $4, $5, $6,
             now() + $7::float8 * interval '1 millisecond', now(), $8)`,
    [
      order.id,
      order.customerId,
      order.paymentMethod,
      order.totalMinor,
      order.currency,
      order.shippingAddress ? JSON.stringify(order.shippingAddress) : null,
      order.paymentDeadlineMs,
      JSON.stringify(order.traceContext),
    ],
  );
  await manager.query(
    `INSERT INTO order_lines (order_id, line_no, product_id, name, quantity, unit_price_minor,
                              line_total_minor, currency)
     SELECT $1, l.ord, l.product_id, l.name, l.quantity, l.unit_price, l.line_total, l.currency
     FROM unnest($2::uuid[], $3::text[], $4::int[], $5::bigint[], $6::bigint[], $7::text[])
          WITH ORDINALITY AS l(product_id, name, quantity, unit_price, line_total, currency, ord)`,
    [
      order.id,
      lines.map((l) => l.productId),
      lines.map((l) => l.name),
      lines.map((l) => l.quantity),
      lines.map((l) => l.unitPriceMinor),
      lines.map((l) => l.lineTotalMinor),
      lines.map((l) => l.currency),
    ],
  );
}

/**
 * Appends history entries after the order's last one. Callers hold the order's row lock (or just
 * inserted it), so the per-order sequence numbers cannot collide.
 */
/**
 * The rows of order_steps for `steps` of order $1, numbered after its last one: the step arrays
 * are parameters $n..$n+2 (stepParams).
 */
const stepRowsFrom = (first: number, where = 'true') =>
  `SELECT $1::uuid, base.n + s.ord, s.step, s.status, s.detail, clock_timestamp()
   FROM (SELECT coalesce(max(seq), 0) AS n FROM order_steps WHERE order_id = $1) base,
        unnest($${first}::text[], $${first + 1}::text[], $${first + 2}::text[])
          WITH ORDINALITY AS s(step, status, detail, ord)
   WHERE ${where}`;
const stepParams = (steps: readonly StepRecord[]) => [
  steps.map((s) => s.step),
  steps.map((s) => s.status),
  steps.map((s) => s.detail.slice(0, 1_000)),
];

export async function appendSteps(
  manager: EntityManager,
  orderId: string,
  steps: readonly StepRecord[],
): Promise<void> {
  if (steps.length === 0) return;
  await manager.query(
    `INSERT INTO order_steps (order_id, seq, step, status, detail, at) ${stepRowsFrom(2)}`,
    [orderId, ...stepParams(steps)],
  );
}

export interface SagaUpdate {
  state: SagaState;
  status: OrderStatusName;
  attempts: number;
  nextAttemptAt: Date;
  cancel?: { reason: string; code: CancelCode; requested?: boolean } | undefined;
  /** Clears the cancel request, reason and code (shipping refused the cancellation). */
  withdrawCancel?: boolean;
}

/**
 * A saga step's new state and its history entries, in one statement (one round trip per step
 * instead of two; docs/performance.md). The entries are written only if the order row was updated.
 */
export async function updateSaga(
  manager: EntityManager,
  order: Pick<OrderRow, 'id' | 'status'>,
  update: SagaUpdate,
  steps: readonly StepRecord[] = [],
): Promise<void> {
  checkStatusChange(order.status, update.status);
  await manager.query(
    `WITH updated AS (
       UPDATE orders SET
         saga_state = $2, status = $3, attempts = $4, next_attempt_at = $5,
         cancel_reason = CASE WHEN $9::boolean THEN NULL ELSE coalesce($6, cancel_reason) END,
         cancel_code = CASE WHEN $9::boolean THEN NULL ELSE coalesce($7, cancel_code) END,
         cancel_requested = (cancel_requested OR $8) AND NOT $9::boolean,
         version = version + 1, updated_at = now()
       WHERE id = $1
       RETURNING id
     )
     INSERT INTO order_steps (order_id, seq, step, status, detail, at)
     ${stepRowsFrom(10, 'EXISTS (SELECT 1 FROM updated)')}`,
    [
      order.id,
      update.state,
      update.status,
      update.attempts,
      update.nextAttemptAt,
      update.cancel?.reason ?? null,
      update.cancel?.code ?? null,
      update.cancel?.requested ?? false,
      update.withdrawCancel ?? false,
      ...stepParams(steps),
    ],
  );
}

/** Makes the transaction's lock waits fail (SQLSTATE 55P03) after `wait`, e.g. '5s'. */
export async function setLockTimeout(manager: EntityManager, wait: `${number}${'ms' | 's'}`) {
  await manager.query(`SET LOCAL lock_timeout = '${wait}'`);
}

/** A page of orders, newest first, optionally of one customer and before a (created_at, id). */
export async function listOrders(
  manager: EntityManager,
  page: { customerId?: string; before?: { t: string; id: string }; limit: number },
): Promise<(OrderRow & { created_key: string })[]> {
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (page.customerId) {
    params.push(page.customerId);
    conditions.push(`customer_id = $${params.length}`);
  }
  if (page.before) {
    params.push(page.before.t, page.before.id);
    conditions.push(
      `(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
    );
  }
  params.push(page.limit);
  // created_key keeps the microseconds that a JS Date would drop (the page token's cursor).
  return manager.query<(OrderRow & { created_key: string })[]>(
    `SELECT ${ORDER_COLUMNS}, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_key
     FROM orders
     ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
     ORDER BY created_at DESC, id DESC
     LIMIT $${params.length}`,
    params,
  );
}

/** Where an order's saga is (no lock). */
export async function sagaProgressOf(
  manager: EntityManager,
  id: string,
): Promise<Pick<OrderRow, 'saga_state' | 'status' | 'cancel_requested'> | undefined> {
  const [row] = await manager.query<Pick<OrderRow, 'saga_state' | 'status' | 'cancel_requested'>[]>(
    'SELECT saga_state, status, cancel_requested FROM orders WHERE id = $1',
    [id],
  );
  return row;
}

/**
 * Records a cancellation for the saga worker to carry out, due at once. A CONFIRMED order's saga
 * starts again at `confirmedStart` (its undo steps); a PENDING one goes on from where it is and
 * turns back at its next step. `traceContext`, when given, is the trace the steps continue.
 */
export async function requestCancellation(
  manager: EntityManager,
  id: string,
  cancel: {
    reason: string;
    code: CancelCode;
    confirmedStart: SagaState;
    traceContext?: TraceContext;
  },
): Promise<void> {
  await manager.query(
    `UPDATE orders SET
       cancel_requested = true, cancel_reason = $2, cancel_code = $3,
       saga_state = CASE WHEN status = 'CONFIRMED' THEN $5 ELSE saga_state END,
       attempts = CASE WHEN status = 'CONFIRMED' THEN 0 ELSE attempts END,
       next_attempt_at = now(), trace_context = coalesce($4::jsonb, trace_context),
       version = version + 1, updated_at = now()
     WHERE id = $1`,
    [
      id,
      cancel.reason,
      cancel.code,
      cancel.traceContext ? JSON.stringify(cancel.traceContext) : null,
      cancel.confirmedStart,
    ],
  );
}

/**
 * The order left the warehouse: SHIPPED. `withdrawCancel` ends a cancellation that had not
 * reached shipping yet (its saga is DONE: shipping would refuse it now).
 */
export async function markShipped(
  manager: EntityManager,
  order: Pick<OrderRow, 'id' | 'status'>,
  options: { withdrawCancel: boolean },
): Promise<void> {
  checkStatusChange(order.status, 'SHIPPED');
  await manager.query(
    options.withdrawCancel
      ? `UPDATE orders SET status = 'SHIPPED', saga_state = 'DONE', cancel_requested = false,
           cancel_reason = NULL, cancel_code = NULL, attempts = 0,
           version = version + 1, updated_at = now()
         WHERE id = $1`
      : `UPDATE orders SET status = 'SHIPPED', version = version + 1, updated_at = now() WHERE id = $1`,
    [order.id],
  );
}

/**
 * Pushes an unfinished order's next step back with a jittered backoff (200 ms doubling per
 * attempt, at most 5 s) after a step failed outside the saga's own error handling.
 */
export async function deferOrder(
  manager: EntityManager,
  id: string,
): Promise<{ saga_state: SagaState; attempts: number } | undefined> {
  const rows = await manager.query<{ saga_state: SagaState; attempts: number }[]>(
    `UPDATE orders SET attempts = attempts + 1,
       next_attempt_at = clock_timestamp()
         + least(5000, 200 * power(2, least(attempts, 10)))::float8 * random() * interval '1 millisecond'
     WHERE id = $1 AND saga_state <> 'DONE'
     RETURNING saga_state, attempts`,
    [id],
  );
  return rows[0];
}

export interface IdempotencyKeyRow {
  order_id: string;
  request_hash: string;
}

/**
 * Claims a customer's idempotency key for a new order: true when this transaction holds it now,
 * false when it was used before. Waits (unique index) while a concurrent transaction holds the
 * same key uncommitted — up to the transaction's lock timeout.
 */
export async function claimIdempotencyKey(
  manager: EntityManager,
  key: { customerId: string; key: string; orderId: string; requestHash: string },
): Promise<boolean> {
  const claimed = await manager.query<{ order_id: string }[]>(
    `INSERT INTO idempotency_keys (customer_id, key, order_id, request_hash)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (customer_id, key) DO NOTHING
     RETURNING order_id`,
    [key.customerId, key.key, key.orderId, key.requestHash],
  );
  return claimed.length > 0;
}

export async function findIdempotencyKey(
  manager: EntityManager,
  customerId: string,
  key: string,
): Promise<IdempotencyKeyRow | undefined> {
  const [row] = await manager.query<IdempotencyKeyRow[]>(
    'SELECT order_id, request_hash FROM idempotency_keys WHERE customer_id = $1 AND key = $2',
    [customerId, key],
  );
  return row;
}

export async function findLines(manager: EntityManager, orderIds: string[]): Promise<LineRow[]> {
  if (orderIds.length === 0) return [];
  return manager.query<LineRow[]>(
    `SELECT ${LINE_COLUMNS} FROM order_lines WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, line_no`,
    [orderIds],
  );
}

export async function findSteps(manager: EntityManager, orderIds: string[]): Promise<StepRow[]> {
  if (orderIds.length === 0) return [];
  return manager.query<StepRow[]>(
    `SELECT ${STEP_COLUMNS} FROM order_steps WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, seq`,
    [orderIds],
  );
}

/** Orders with their lines and history, as API messages, in the order of `rows`. */
export async function toMessages(manager: EntityManager, rows: OrderRow[]): Promise<Order[]> {
  const ids = rows.map((row) => row.id);
  const [lines, steps] = await Promise.all([findLines(manager, ids), findSteps(manager, ids)]);
  const group = <R extends { order_id: string }>(list: R[]) => {
    const map = new Map<string, R[]>();
    for (const item of list) map.set(item.order_id, [...(map.get(item.order_id) ?? []), item]);
    return map;
  };
  const linesBy = group(lines);
  const stepsBy = group(steps);
  return rows.map((row) => toMessage(row, linesBy.get(row.id) ?? [], stepsBy.get(row.id) ?? []));
}

/** One order with its lines and history, as an API message. */
export async function toOrderMessage(manager: EntityManager, row: OrderRow): Promise<Order> {
  const [lines, steps] = await Promise.all([
    findLines(manager, [row.id]),
    findSteps(manager, [row.id]),
  ]);
  return toMessage(row, lines, steps);
}

export function toMessage(row: OrderRow, lines: LineRow[], steps: StepRow[]): Order {
  return {
    orderId: row.id,
    customerId: row.customer_id,
    status: OrderStatus[row.status],
    // Only a finished cancellation has a reason; while compensating the order keeps its status.
    cancelReason: row.status === 'CANCELLED' ? (row.cancel_reason ?? '') : '',
    lines: lines.map((line): OrderLine => ({
      productId: line.product_id,
      name: line.name,
      quantity: line.quantity,
      unitPrice: { amountMinor: Number(line.unit_price_minor), currency: line.currency },
      lineTotal: { amountMinor: Number(line.line_total_minor), currency: line.currency },
    })),
    total: { amountMinor: Number(row.total_minor), currency: row.currency },
    paymentMethod: row.payment_method,
    steps: steps.map((step): OrderStep => ({
      step: step.step,
      status: OrderStepStatus[step.status],
      detail: step.detail,
      at: step.at.toISOString(),
    })),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    shippingAddress: row.shipping_address,
    traceId: traceIdOf(row.trace_context),
  };
}

/** The trace id of a W3C `traceparent` (`00-<trace id>-<span id>-<flags>`); '' without one. */
export function traceIdOf(context: TraceContext | null): string {
  const match = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(
    context?.traceparent ?? '',
  );
  return match?.[1] ?? '';
}

export function snapshotOf(row: OrderRow): SagaSnapshot {
  return {
    state: row.saga_state,
    status: row.status,
    cancelRequested: row.cancel_requested,
    cancelReason: row.cancel_reason,
    cancelCode: row.cancel_code,
    totalMinor: Number(row.total_minor),
    paymentDeadlineAt: row.payment_deadline_at,
    attempts: row.attempts,
  };
}
