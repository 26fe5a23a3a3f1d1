// The invariant checker: `collect` audits the whole system through its databases, Redis and Kafka
// (read-only); `evaluate` is pure, so its verdicts are unit-tested on hand-made snapshots
// (chaos.e2e-spec.ts, "the invariant checker").
import Redis from 'ioredis';
import { getEventDefinition, isEventType } from '@ordermesh/contracts';
import type { RequestRecord } from './load-driver';
import type { StockSample } from './samples';

/** What a platform action printed and how long it took (ms since the scenario started). */
export interface ActionRecord {
  action: string;
  at: number;
  tookMs: number;
  output: string;
  ok: boolean;
}

/**
 * What the checker reads of a system under test (the local platform, or a release on a cluster):
 * a service's database, the dead-letter topics and the services' consumer groups.
 */
export interface AuditSource {
  query<R extends object>(service: AuditedService, sql: string, params?: unknown[]): Promise<R[]>;
  deadLetterCounts(): Promise<Record<string, number>>;
  serviceGroups(): Promise<string[]>;
  groupLag(groupId: string): Promise<number>;
}

/** The PostgreSQL services whose databases the checker reads. */
export const AUDITED_SERVICES = ['order', 'payment', 'inventory', 'shipping'] as const;
export type AuditedService = (typeof AUDITED_SERVICES)[number];

export interface OrderRow {
  id: string;
  customer_id: string;
  status: 'PENDING' | 'CONFIRMED' | 'CANCELLED' | 'SHIPPED';
  saga_state: string;
  total_minor: number;
  cancel_code: string | null;
  version: number;
  updated_at: string;
}

export interface Snapshot {
  orders: OrderRow[];
  lines: { order_id: string; product_id: string; quantity: number }[];
  /** COMPENSATED steps per (order, step). */
  compensations: { order_id: string; step: string; n: number }[];
  /** Orders per idempotency key of the scenario's customers. */
  keys: { key: string; orders: number }[];
  /** order.* events in order's outbox, per order. */
  orderEvents: { id: string; topic: string; order_id: string }[];
  payments: {
    order_id: string;
    status: string;
    amount_minor: number;
    captured_minor: number;
    refunded_minor: number;
  }[];
  paymentOps: { order_id: string; kind: string; outcome: string; amount_minor: number }[];
  stock: { product_id: string; available: number; reserved: number; sold: number }[];
  /** Reservations holding the scenario's products, and the units of open ones per product. */
  reservations: { order_id: string; status: string }[];
  openReserved: { product_id: string; quantity: number }[];
  shipments: { order_id: string; status: string; n: number }[];
  shipmentCreated: { id: string; order_id: string }[];
  /** Event ids each consumer recorded in processed_events (or Redis marks for notification). */
  processed: { shipping: string[]; order: string[]; notification: string[] };
  unpublishedOutbox: Record<string, number>;
  deadLetters: { before: Record<string, number>; after: Record<string, number> };
  groupLag: Record<string, number>;
}

export interface Scope {
  customerIds: string[];
  productIds: string[];
  /** Epoch ms: orders and payments created since then belong to the scenario. */
  since: number;
  acceptedOrderIds: string[];
}

export async function collect(
  platform: AuditSource,
  scope: Scope,
  deadLettersBefore: Record<string, number>,
  redisUrl: string,
): Promise<Snapshot> {
  const since = new Date(scope.since - 1_000).toISOString();
  const customers = scope.customerIds;
  const orderScope = `(customer_id = ANY($1::uuid[]) AND created_at >= $2) OR id = ANY($3::uuid[])`;
  const args = [customers, since, scope.acceptedOrderIds];
  const orders = await platform.query<OrderRow>(
    'order',
    `SELECT id, customer_id, status, saga_state, total_minor::float8 AS total_minor, cancel_code,
            version, updated_at::text FROM orders WHERE ${orderScope}`,
    args,
  );
  const ids = orders.map((o) => o.id);
  const [lines, compensations, keys, orderEvents] = await Promise.all([
    platform.query<Snapshot['lines'][number]>(
      'order',
      'SELECT order_id, product_id, quantity FROM order_lines WHERE order_id = ANY($1::uuid[])',
      [ids],
    ),
    platform.query<Snapshot['compensations'][number]>(
      'order',
      `SELECT order_id, step, count(*)::int AS n FROM order_steps
        WHERE order_id = ANY($1::uuid[]) AND status = 'COMPENSATED' GROUP BY order_id, step`,
      [ids],
    ),
    platform.query<Snapshot['keys'][number]>(
      'order',
      `SELECT key, count(DISTINCT order_id)::int AS orders FROM idempotency_keys
        WHERE customer_id = ANY($1::uuid[]) AND created_at >= $2 GROUP BY key`,
      [customers, since],
    ),
    platform.query<Snapshot['orderEvents'][number]>(
      'order',
      `SELECT id, topic, key AS order_id FROM outbox_events
        WHERE topic LIKE 'order.%' AND key = ANY($1::text[])`,
      [ids],
    ),
  ]);
  const [inScopePayments, inScopeOps] = await Promise.all([
    platform.query<Snapshot['payments'][number]>(
      'payment',
      `SELECT order_id, status, amount_minor::float8 AS amount_minor,
              captured_minor::float8 AS captured_minor, refunded_minor::float8 AS refunded_minor
         FROM payments WHERE (customer_id = ANY($1::uuid[]) AND created_at >= $2) OR order_id = ANY($3::uuid[])`,
      [customers, since, ids],
    ),
    platform.query<Snapshot['paymentOps'][number]>(
      'payment',
      `SELECT o.order_id, o.kind, o.outcome, o.amount_minor::float8 AS amount_minor
         FROM payment_operations o JOIN payments p ON p.id = o.payment_id
        WHERE (p.customer_id = ANY($1::uuid[]) AND p.created_at >= $2) OR p.order_id = ANY($3::uuid[])`,
      [customers, since, ids],
    ),
  ]);
  // A payment in the window whose order is older belongs to a saga of an earlier scenario that
  // finished late: not this scenario's (an order that does not exist at all stays in: an orphan).
  const strays = inScopePayments.filter((p) => !ids.includes(p.order_id)).map((p) => p.order_id);
  const older = new Set(
    (
      await platform.query<{ id: string }>(
        'order',
        'SELECT id FROM orders WHERE id = ANY($1::uuid[])',
        [strays],
      )
    ).map((r) => r.id),
  );
  const payments = inScopePayments.filter((p) => !older.has(p.order_id));
  const paymentOps = inScopeOps.filter((o) => !older.has(o.order_id));
  const products = scope.productIds;
  const [stock, reservations, openReserved] = await Promise.all([
    platform.query<Snapshot['stock'][number]>(
      'inventory',
      'SELECT product_id, available, reserved, sold FROM stock_levels WHERE product_id = ANY($1::uuid[])',
      [products],
    ),
    platform.query<Snapshot['reservations'][number]>(
      'inventory',
      `SELECT DISTINCT r.order_id, r.status FROM reservations r
         JOIN reservation_lines l ON l.reservation_id = r.id WHERE l.product_id = ANY($1::uuid[])`,
      [products],
    ),
    platform.query<Snapshot['openReserved'][number]>(
      'inventory',
      `SELECT l.product_id, sum(l.quantity)::int AS quantity FROM reservations r
         JOIN reservation_lines l ON l.reservation_id = r.id
        WHERE l.product_id = ANY($1::uuid[]) AND r.status = 'reserved' GROUP BY l.product_id`,
      [products],
    ),
  ]);
  const [shipments, shipmentCreated] = await Promise.all([
    platform.query<Snapshot['shipments'][number]>(
      'shipping',
      `SELECT order_id, min(status) AS status, count(*)::int AS n FROM shipments
        WHERE order_id = ANY($1::uuid[]) GROUP BY order_id`,
      [ids],
    ),
    platform.query<Snapshot['shipmentCreated'][number]>(
      'shipping',
      `SELECT id, key AS order_id FROM outbox_events
        WHERE topic = 'shipment.created.v1' AND key = ANY($1::text[])`,
      [ids],
    ),
  ]);
  const orderEventIds = orderEvents.map((e) => e.id);
  const [shippingProcessed, orderProcessed] = await Promise.all([
    platform.query<{ event_id: string }>(
      'shipping',
      `SELECT event_id FROM processed_events WHERE consumer = 'shipping' AND event_id = ANY($1::uuid[])`,
      [orderEventIds],
    ),
    platform.query<{ event_id: string }>(
      'order',
      `SELECT event_id FROM processed_events WHERE consumer = 'order' AND event_id = ANY($1::uuid[])`,
      [shipmentCreated.map((e) => e.id)],
    ),
  ]);
  const notification = await notificationMarks(redisUrl, orderEventIds);
  const unpublishedOutbox: Record<string, number> = {};
  for (const service of ['order', 'payment', 'inventory', 'shipping'] as const) {
    const [row] = await platform.query<{ n: number }>(
      service,
      'SELECT count(*)::int AS n FROM outbox_events WHERE published_at IS NULL',
    );
    unpublishedOutbox[service] = row?.n ?? 0;
  }
  const groupLag: Record<string, number> = {};
  for (const group of await platform.serviceGroups())
    groupLag[group] = await platform.groupLag(group);
  return {
    orders,
    lines,
    compensations,
    keys,
    orderEvents,
    payments,
    paymentOps,
    stock,
    reservations,
    openReserved,
    shipments,
    shipmentCreated,
    processed: {
      shipping: shippingProcessed.map((r) => r.event_id),
      order: orderProcessed.map((r) => r.event_id),
      notification,
    },
    unpublishedOutbox,
    deadLetters: { before: deadLettersBefore, after: await platform.deadLetterCounts() },
    groupLag,
  };
}

/** Event ids whose notification-side dedup mark exists (the notification consumer handled them). */
async function notificationMarks(redisUrl: string, eventIds: string[]): Promise<string[]> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  try {
    await redis.connect();
    const found: string[] = [];
    for (let i = 0; i < eventIds.length; i += 500) {
      const chunk = eventIds.slice(i, i + 500);
      const pipeline = redis.pipeline();
      for (const id of chunk) pipeline.exists(`notifications:event:${id}`);
      const results = (await pipeline.exec()) ?? [];
      results.forEach(([error, exists], j) => {
        if (!error && exists === 1) found.push(chunk[j]!);
      });
    }
    return found;
  } finally {
    redis.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------
// Verdicts (pure)

export interface InvariantResult {
  id: string;
  title: string;
  passed: boolean;
  /** Numbers behind the verdict. */
  summary: string;
  /** The first violations, for the report. */
  violations: string[];
  violationCount: number;
  /** Observations that are not failures (e.g. reservations left to expire by their TTL). */
  notes?: string[];
}

export interface EvaluationInput {
  snapshot: Snapshot;
  /**
   * Every consumer group re-read its topics from offset zero: a record dead-lettered before (a
   * forged event a test published, say) is dead-lettered again, at most once per earlier one and
   * consumer group of its topic (order.confirmed.v1: shipping and notification).
   */
  historyReplayed?: boolean;
  initialStock: Record<string, number>;
  acceptedOrderIds: Set<string>;
  records: RequestRecord[];
  /** ms since the scenario started. */
  faultStartedAt: number;
  recoveredAt: number;
  /** When every scenario order was final (ms since start), if it happened. */
  settledAt: number | undefined;
  settleMs: number;
  errorFreeAfterMs: number;
  stockSamples: StockSample[];
  /** What re-sending the orders of unknown outcome with their keys found wrong. */
  reconciliationProblems: string[];
}

const FINAL = new Set(['CONFIRMED', 'CANCELLED', 'SHIPPED']);
const CONFIRMED = new Set(['CONFIRMED', 'SHIPPED']);

export function verdict(
  id: string,
  title: string,
  violations: string[],
  summary: string,
  notes?: string[],
): InvariantResult {
  return {
    id,
    title,
    passed: violations.length === 0,
    summary,
    violations: violations.slice(0, 25),
    violationCount: violations.length,
    ...(notes && notes.length ? { notes: notes.slice(0, 25) } : {}),
  };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

/** A request that failed from the client's point of view. */
export function isErrorRecord(record: RequestRecord): boolean {
  return (
    record.status === 0 || record.status === -1 || record.status >= 500 || record.status === 429
  );
}

export function evaluate(input: EvaluationInput): InvariantResult[] {
  const { snapshot: s } = input;
  const orders = new Map(s.orders.map((o) => [o.id, o]));
  const results: InvariantResult[] = [];

  // 1. No lost order: every 201 exists; every order of the scenario is one the client was told of.
  {
    const lost = [...input.acceptedOrderIds].filter((id) => !orders.has(id));
    // Orders whose first answer was lost (5xx, timeout) were re-sent with their key: by now the
    // client knows every order the platform holds for it.
    const unknown = s.orders.filter((o) => !input.acceptedOrderIds.has(o.id)).map((o) => o.id);
    const doubled = s.keys
      .filter((k) => k.orders > 1)
      .map((k) => `key ${k.key}: ${k.orders} orders`);
    const violations = [
      ...lost.map((id) => `accepted order ${id} does not exist`),
      ...doubled,
      ...unknown.map((id) => `order ${id} exists but no client request was answered with it`),
      ...input.reconciliationProblems,
    ];
    results.push(
      verdict(
        'no-lost-orders',
        'every accepted order exists; one order per idempotency key, a retry returns it',
        violations,
        `${input.acceptedOrderIds.size} accepted (201), ${s.orders.length} in order_svc, ${lost.length} lost, ${unknown.length} unknown`,
      ),
    );
  }

  // 2. Every order reaches a final state within settleMs of recovery.
  {
    const stuck = s.orders
      .filter((o) => !FINAL.has(o.status) || o.saga_state !== 'DONE')
      .map((o) => `order ${o.id} is ${o.status}/${o.saga_state}`);
    const late =
      input.settledAt === undefined || input.settledAt - input.recoveredAt > input.settleMs
        ? [
            `orders were not all final within ${input.settleMs / 1000} s of recovery` +
              (input.settledAt === undefined
                ? ''
                : ` (took ${input.settledAt - input.recoveredAt} ms)`),
          ]
        : [];
    const counts = [...groupBy(s.orders, (o) => o.status)].map(([k, v]) => `${k} ${v.length}`);
    results.push(
      verdict(
        'orders-final',
        `every order CONFIRMED/CANCELLED/SHIPPED within ${input.settleMs / 1000} s of recovery`,
        [...late, ...stuck],
        `${counts.join(', ') || 'no orders'}; all final ${
          input.settledAt === undefined
            ? 'never'
            : `${Math.max(0, input.settledAt - input.recoveredAt)} ms after recovery`
        }`,
      ),
    );
  }

  // 3. No double charge: captures = confirmed orders; cancelled orders net zero.
  {
    const payments = new Map(s.payments.map((p) => [p.order_id, p]));
    const ops = groupBy(s.paymentOps, (o) => o.order_id);
    const violations: string[] = [];
    let captures = 0;
    let confirmedPaid = 0;
    let netCaptured = 0;
    let confirmedTotal = 0;
    for (const order of s.orders) {
      const payment = payments.get(order.id);
      const mine = ops.get(order.id) ?? [];
      const captureOps = mine.filter((o) => o.kind === 'capture' && o.outcome === 'approved');
      captures += captureOps.length;
      if (captureOps.length > 1)
        violations.push(`order ${order.id}: ${captureOps.length} captures`);
      if (CONFIRMED.has(order.status) && order.total_minor > 0) {
        confirmedPaid += 1;
        confirmedTotal += order.total_minor;
        if (!payment || payment.status !== 'CAPTURED') {
          violations.push(
            `order ${order.id} is ${order.status} but its payment is ${payment?.status ?? 'missing'}`,
          );
        } else if (payment.captured_minor !== order.total_minor || payment.refunded_minor !== 0) {
          violations.push(
            `order ${order.id}: captured ${payment.captured_minor}, refunded ${payment.refunded_minor}, total ${order.total_minor}`,
          );
        }
        if (captureOps.length !== 1)
          violations.push(
            `order ${order.id} is ${order.status} with ${captureOps.length} captures`,
          );
      }
      if (order.status === 'CANCELLED' && payment) {
        if (payment.captured_minor !== payment.refunded_minor) {
          violations.push(
            `cancelled order ${order.id}: captured ${payment.captured_minor}, refunded ${payment.refunded_minor}`,
          );
        }
        if (payment.status === 'AUTHORIZED' || payment.status === 'CAPTURED') {
          violations.push(`cancelled order ${order.id}: payment still ${payment.status}`);
        }
      }
      // An order still in flight (orders-final reports it) may be captured but not yet CONFIRMED.
      if (payment && FINAL.has(order.status)) {
        netCaptured += payment.captured_minor - payment.refunded_minor;
      }
    }
    for (const payment of s.payments) {
      if (orders.has(payment.order_id)) continue;
      if (payment.status === 'AUTHORIZED' || payment.captured_minor !== payment.refunded_minor) {
        violations.push(
          `payment of unknown order ${payment.order_id} is ${payment.status} (captured ${payment.captured_minor}, refunded ${payment.refunded_minor})`,
        );
      }
    }
    if (netCaptured !== confirmedTotal) {
      violations.push(`net captured ${netCaptured} ≠ total of confirmed orders ${confirmedTotal}`);
    }
    results.push(
      verdict(
        'no-double-charge',
        'one capture per confirmed order; cancelled orders net zero (voided/refunded)',
        violations,
        `${captures} captures for ${confirmedPaid} confirmed paid orders; net captured ${netCaptured} = confirmed total ${confirmedTotal}`,
      ),
    );
  }

  // 4. Stock conserved and never negative.
  {
    const violations: string[] = [];
    const soldByOrders = new Map<string, number>();
    /** Units of orders still in flight: committed or not yet (orders-final reports them). */
    const inFlight = new Map<string, number>();
    for (const line of s.lines) {
      const order = orders.get(line.order_id);
      if (order && CONFIRMED.has(order.status)) {
        soldByOrders.set(line.product_id, (soldByOrders.get(line.product_id) ?? 0) + line.quantity);
      } else if (order && !FINAL.has(order.status)) {
        inFlight.set(line.product_id, (inFlight.get(line.product_id) ?? 0) + line.quantity);
      }
    }
    const open = new Map(s.openReserved.map((r) => [r.product_id, r.quantity]));
    for (const [productId, initial] of Object.entries(input.initialStock)) {
      const level = s.stock.find((l) => l.product_id === productId);
      if (!level) {
        violations.push(`product ${productId}: no stock level`);
        continue;
      }
      const { available, reserved, sold } = level;
      if (available < 0 || reserved < 0 || sold < 0) {
        violations.push(`product ${productId}: negative level ${JSON.stringify(level)}`);
      }
      if (available + reserved + sold !== initial) {
        violations.push(
          `product ${productId}: available ${available} + reserved ${reserved} + sold ${sold} ≠ initial ${initial}`,
        );
      }
      const confirmedUnits = soldByOrders.get(productId) ?? 0;
      const pendingUnits = inFlight.get(productId) ?? 0;
      if (sold < confirmedUnits || sold > confirmedUnits + pendingUnits) {
        violations.push(
          `product ${productId}: sold ${sold} ≠ ${confirmedUnits} units in confirmed orders` +
            (pendingUnits ? ` (+ up to ${pendingUnits} of orders in flight)` : ''),
        );
      }
      if (reserved !== (open.get(productId) ?? 0)) {
        violations.push(
          `product ${productId}: reserved ${reserved} ≠ ${open.get(productId) ?? 0} units in open reservations`,
        );
      }
    }
    const negative = input.stockSamples.filter(
      (x) => x.minAvailable < 0 || x.minReserved < 0 || x.minSold < 0,
    );
    for (const sample of negative) violations.push(`negative stock sampled at ${sample.at} ms`);
    const totals = s.stock.reduce(
      (t, l) => ({ a: t.a + l.available, r: t.r + l.reserved, s: t.s + l.sold }),
      { a: 0, r: 0, s: 0 },
    );
    const initial = Object.values(input.initialStock).reduce((a, b) => a + b, 0);
    results.push(
      verdict(
        'stock-conserved',
        'initial = available + reserved + sold per product, sold = confirmed units, never negative',
        violations,
        `initial ${initial} = available ${totals.a} + reserved ${totals.r} + sold ${totals.s}; ${input.stockSamples.length} samples, none negative`,
      ),
    );
  }

  // 5. Every compensation applied exactly once.
  {
    const violations: string[] = [];
    const notes: string[] = [];
    const reservation = new Map(s.reservations.map((r) => [r.order_id, r.status]));
    const ops = groupBy(s.paymentOps, (o) => o.order_id);
    const payments = new Map(s.payments.map((p) => [p.order_id, p]));
    for (const c of s.compensations) {
      if (c.n > 1) violations.push(`order ${c.order_id}: ${c.step} compensated ${c.n} times`);
    }
    let cancelled = 0;
    for (const order of s.orders) {
      const state = reservation.get(order.id);
      const mine = ops.get(order.id) ?? [];
      const voids = mine.filter((o) => o.kind === 'void').length;
      const refunds = mine.filter((o) => o.kind === 'refund').length;
      if (order.status === 'CANCELLED') {
        cancelled += 1;
        if (!state || !['released', 'expired', 'restocked'].includes(state)) {
          violations.push(`cancelled order ${order.id}: reservation ${state ?? 'missing'}`);
        }
        if (voids + refunds > 1) {
          violations.push(`cancelled order ${order.id}: ${voids} voids and ${refunds} refunds`);
        }
        const payment = payments.get(order.id);
        if (payment?.status === 'VOIDED' && voids !== 1) {
          violations.push(`order ${order.id}: payment VOIDED with ${voids} void operations`);
        }
        if (payment?.status === 'REFUNDED' && refunds !== 1) {
          violations.push(`order ${order.id}: payment REFUNDED with ${refunds} refund operations`);
        }
      } else if (CONFIRMED.has(order.status)) {
        if (state !== 'committed')
          violations.push(`${order.status} order ${order.id}: reservation ${state ?? 'missing'}`);
        if (voids + refunds > 0)
          violations.push(`${order.status} order ${order.id}: compensated payment`);
        if (s.compensations.some((c) => c.order_id === order.id)) {
          violations.push(`${order.status} order ${order.id}: has compensated steps`);
        }
      }
    }
    for (const r of s.reservations) {
      if (orders.has(r.order_id)) continue;
      if (r.status === 'committed' || r.status === 'restocked') {
        violations.push(`reservation of unknown order ${r.order_id} is ${r.status}`);
      } else if (r.status === 'reserved') {
        notes.push(
          `reservation of order ${r.order_id} (never stored: its PlaceOrder failed) is held until its TTL`,
        );
      }
    }
    results.push(
      verdict(
        'compensations-once',
        'each cancelled order released its stock and voided/refunded its payment exactly once',
        violations,
        `${cancelled} cancelled orders; ${s.compensations.length} compensated steps; ${notes.length} reservations left to their TTL`,
        notes,
      ),
    );
  }

  // 6. Events: none lost, each effect at most once per consumer, no dead letters.
  {
    const violations: string[] = [];
    const events = groupBy(s.orderEvents, (e) => e.order_id);
    const shipments = new Map(s.shipments.map((x) => [x.order_id, x]));
    const processed = {
      shipping: new Set(s.processed.shipping),
      order: new Set(s.processed.order),
      notification: new Set(s.processed.notification),
    };
    for (const order of s.orders) {
      const mine = events.get(order.id) ?? [];
      const count = (topic: string) => mine.filter((e) => e.topic === topic).length;
      if (count('order.placed.v1') !== 1)
        violations.push(`order ${order.id}: ${count('order.placed.v1')} order.placed events`);
      if (CONFIRMED.has(order.status) && count('order.confirmed.v1') !== 1) {
        violations.push(`order ${order.id}: ${count('order.confirmed.v1')} order.confirmed events`);
      }
      if (order.status === 'CANCELLED' && count('order.cancelled.v1') !== 1) {
        violations.push(`order ${order.id}: ${count('order.cancelled.v1')} order.cancelled events`);
      }
      const shipment = shipments.get(order.id);
      if (shipment && shipment.n > 1) violations.push(`order ${order.id}: ${shipment.n} shipments`);
      if (CONFIRMED.has(order.status) && (!shipment || shipment.status === 'CANCELLED')) {
        violations.push(
          `${order.status} order ${order.id}: shipment ${shipment?.status ?? 'missing'}`,
        );
      }
      if (order.status === 'CANCELLED' && count('order.confirmed.v1') === 0 && shipment) {
        violations.push(`order ${order.id} cancelled before confirmation has a shipment`);
      }
      for (const event of mine) {
        if (!processed.notification.has(event.id)) {
          violations.push(
            `notification never handled ${event.topic} ${event.id} (order ${order.id})`,
          );
        }
        if (event.topic !== 'order.placed.v1' && !processed.shipping.has(event.id)) {
          violations.push(`shipping never handled ${event.topic} ${event.id} (order ${order.id})`);
        }
      }
    }
    for (const created of s.shipmentCreated) {
      if (!processed.order.has(created.id)) {
        violations.push(
          `order never handled shipment.created ${created.id} (order ${created.order_id})`,
        );
      }
    }
    for (const [service, n] of Object.entries(s.unpublishedOutbox)) {
      if (n > 0) violations.push(`${service}: ${n} outbox events never published`);
    }
    for (const [topic, after] of Object.entries(s.deadLetters.after)) {
      const before = s.deadLetters.before[topic] ?? 0;
      const added = after - before;
      const expected = input.historyReplayed ? before * consumerGroupsOf(topic) : 0;
      if (added > expected) {
        violations.push(
          `${added} record(s) dead-lettered to ${topic}` +
            (expected > 0 ? ` (${expected} were before the replay)` : ''),
        );
      }
    }
    for (const [group, lag] of Object.entries(s.groupLag)) {
      if (lag > 0) violations.push(`consumer group ${group} is ${lag} records behind`);
    }
    results.push(
      verdict(
        'events-once',
        'no event lost, each handled at most once per consumer (shipments, notifications, processed_events), no dead letters',
        violations,
        `${s.orderEvents.length} order events, ${s.shipments.length} shipments, ${s.shipmentCreated.length} shipment.created; outbox backlog ${JSON.stringify(s.unpublishedOutbox)}; lag ${JSON.stringify(s.groupLag)}`,
      ),
    );
  }

  // 7. The error rate is back to zero within errorFreeAfterMs of recovery; 5xx are clear 503/504.
  {
    const live = input.records.filter((r) => r.kind !== 'reconcile');
    const errors = live.filter(isErrorRecord);
    const cutoff = input.recoveredAt + input.errorFreeAfterMs;
    const late = errors.filter((r) => r.sentAt >= cutoff);
    const lastError = errors.reduce((max, r) => Math.max(max, r.sentAt), -Infinity);
    const violations = late
      .slice(0, 25)
      .map(
        (r) =>
          `${r.kind} sent at ${r.sentAt} ms (recovery ${input.recoveredAt} ms): ${r.status} ${r.error ?? ''}`,
      );
    if (late.length > 25) violations.push(`… ${late.length - 25} more`);
    results.push(
      verdict(
        'error-rate-recovers',
        `no failed request sent later than ${input.errorFreeAfterMs / 1000} s after recovery`,
        violations,
        `${errors.length} failed of ${live.length} requests; last failure sent ${
          errors.length === 0
            ? 'never'
            : lastError > input.recoveredAt
              ? `${lastError - input.recoveredAt} ms after recovery`
              : `${input.recoveredAt - lastError} ms before recovery`
        }`,
      ),
    );
    const unclear = live
      .filter((r) => r.status >= 500 && (![503, 504].includes(r.status) || !r.clearBody))
      .map((r) => `${r.kind} at ${r.sentAt} ms: ${r.status} ${r.error ?? ''}`);
    results.push(
      verdict(
        'clear-5xx',
        'every 5xx is a 503/504 with the API error body',
        unclear,
        `${live.filter((r) => r.status >= 500).length} 5xx responses`,
      ),
    );
  }
  return results;
}

/** How many consumer groups read the topic of a dead-letter topic (the event catalogue's consumers). */
function consumerGroupsOf(deadLetterTopic: string): number {
  const topic = deadLetterTopic.replace(/\.dlq$/, '');
  return isEventType(topic) ? getEventDefinition(topic).consumers.length : 1;
}
