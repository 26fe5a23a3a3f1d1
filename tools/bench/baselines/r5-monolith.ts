// Baseline R5: a "monolith order". One process does the saga's SQL through raw `pg` (prepared
// statements), no gRPC, no Kafka, in a scratch database of its own: per order three transactions,
// synchronous_commit as the server has it —
//   1. place: idempotency key, reserve stock (guarded UPDATE), reservation, order + lines, step,
//      outbox event order.placed;
//   2. authorize: payment row + operation, outbox event payment.authorized;
//   3. confirm: commit the reservation (reserved → sold), capture the payment, order CONFIRMED,
//      steps, outbox event order.confirmed.
// Closed loop with R5_CONCURRENCY workers: its throughput is the ceiling of the order path's SQL.
//
//   R5_URL=postgres://…/scratch R5_CONCURRENCY=8 R5_PRODUCTS=50 node r5-monolith.ts
//   prints {"ready":true} after creating its tables; on a "go <durationMs>" line on stdin runs,
//   prints {"orders":N,"failed":N,"wallMs":…,"latencyMs":[…]} and exits.
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { pg } from './drivers.ts';

const url = process.env['R5_URL'];
if (!url) throw new Error('R5_URL is not set');
const concurrency = Number(process.env['R5_CONCURRENCY'] ?? 8);
const productCount = Number(process.env['R5_PRODUCTS'] ?? 50);

const { Pool } = pg();
const pool = new Pool({ connectionString: url, max: concurrency });

const SCHEMA = `
  CREATE TABLE stock_levels (
    product_id uuid PRIMARY KEY,
    available integer NOT NULL DEFAULT 0 CHECK (available >= 0),
    reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    sold integer NOT NULL DEFAULT 0 CHECK (sold >= 0),
    updated_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE reservations (
    id uuid PRIMARY KEY, order_id uuid NOT NULL UNIQUE, status text NOT NULL,
    expires_at timestamptz NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE reservation_lines (
    reservation_id uuid NOT NULL REFERENCES reservations (id) ON DELETE CASCADE,
    product_id uuid NOT NULL, quantity integer NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (reservation_id, product_id));
  CREATE TABLE orders (
    id uuid PRIMARY KEY, customer_id uuid NOT NULL, status text NOT NULL, saga_state text NOT NULL,
    payment_method text NOT NULL, total_minor bigint NOT NULL, currency text NOT NULL,
    payment_deadline_at timestamptz NOT NULL, version int NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
  CREATE INDEX orders_customer_created_idx ON orders (customer_id, created_at DESC, id DESC);
  CREATE INDEX orders_saga_due_idx ON orders (updated_at) WHERE saga_state <> 'DONE';
  CREATE TABLE order_lines (
    order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE, line_no int NOT NULL,
    product_id uuid NOT NULL, quantity int NOT NULL, unit_price_minor bigint NOT NULL,
    line_total_minor bigint NOT NULL, currency text NOT NULL, PRIMARY KEY (order_id, line_no));
  CREATE TABLE order_steps (
    order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE, seq int NOT NULL,
    step text NOT NULL, status text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (order_id, seq));
  CREATE TABLE idempotency_keys (
    customer_id uuid NOT NULL, key text NOT NULL, order_id uuid NOT NULL, request_hash text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (customer_id, key));
  CREATE TABLE payments (
    id uuid PRIMARY KEY, order_id uuid NOT NULL UNIQUE, customer_id uuid NOT NULL,
    status text NOT NULL, amount_minor bigint NOT NULL, currency text NOT NULL,
    payment_method text NOT NULL, captured_minor bigint NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE payment_operations (
    id uuid PRIMARY KEY, payment_id uuid NOT NULL REFERENCES payments (id), order_id uuid NOT NULL,
    kind text NOT NULL, outcome text NOT NULL, amount_minor bigint NOT NULL, currency text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(), UNIQUE (order_id, kind));
  CREATE TABLE outbox_events (
    id uuid PRIMARY KEY, seq bigint GENERATED ALWAYS AS IDENTITY, topic text NOT NULL,
    key text NOT NULL, envelope jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz);
  CREATE INDEX outbox_events_unpublished_idx ON outbox_events (seq) WHERE published_at IS NULL;
`;

const q = (name: string, text: string) => ({ name, text });
const SQL = {
  key: q(
    'key',
    'INSERT INTO idempotency_keys (customer_id, key, order_id, request_hash) VALUES ($1, $2, $3, $4)',
  ),
  reserve: q(
    'reserve',
    'UPDATE stock_levels SET available = available - $2, reserved = reserved + $2, updated_at = now() WHERE product_id = $1 AND available >= $2 RETURNING available',
  ),
  reservation: q(
    'reservation',
    "INSERT INTO reservations (id, order_id, status, expires_at) VALUES ($1, $2, 'reserved', now() + interval '15 minutes')",
  ),
  reservationLine: q(
    'reservationLine',
    'INSERT INTO reservation_lines (reservation_id, product_id, quantity) VALUES ($1, $2, $3)',
  ),
  order: q(
    'order',
    "INSERT INTO orders (id, customer_id, status, saga_state, payment_method, total_minor, currency, payment_deadline_at) VALUES ($1, $2, 'PENDING', 'AUTHORIZING', 'card', $3, 'EUR', now() + interval '15 minutes')",
  ),
  orderLine: q(
    'orderLine',
    "INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price_minor, line_total_minor, currency) VALUES ($1, 1, $2, $3, $4, $5, 'EUR')",
  ),
  step: q(
    'step',
    "INSERT INTO order_steps (order_id, seq, step, status) SELECT $1, coalesce(max(seq), 0) + 1, $2, 'SUCCEEDED' FROM order_steps WHERE order_id = $1",
  ),
  outbox: q(
    'outbox',
    'INSERT INTO outbox_events (id, topic, key, envelope) VALUES ($1, $2, $3, $4)',
  ),
  claim: q('claim', 'SELECT saga_state, version FROM orders WHERE id = $1 FOR UPDATE'),
  sagaState: q(
    'sagaState',
    'UPDATE orders SET saga_state = $2, version = version + 1, updated_at = now() WHERE id = $1',
  ),
  payment: q(
    'payment',
    "INSERT INTO payments (id, order_id, customer_id, status, amount_minor, currency, payment_method) VALUES ($1, $2, $3, 'AUTHORIZED', $4, 'EUR', 'card')",
  ),
  operation: q(
    'operation',
    "INSERT INTO payment_operations (id, payment_id, order_id, kind, outcome, amount_minor, currency) VALUES ($1, $2, $3, $4, 'approved', $5, 'EUR')",
  ),
  commitReservation: q(
    'commitReservation',
    "UPDATE reservations SET status = 'committed', updated_at = now() WHERE order_id = $1 AND status = 'reserved' RETURNING id",
  ),
  sell: q(
    'sell',
    'UPDATE stock_levels SET reserved = reserved - $2, sold = sold + $2, updated_at = now() WHERE product_id = $1',
  ),
  capture: q(
    'capture',
    "UPDATE payments SET status = 'CAPTURED', captured_minor = amount_minor, updated_at = now() WHERE order_id = $1 AND status = 'AUTHORIZED'",
  ),
  confirm: q(
    'confirm',
    "UPDATE orders SET status = 'CONFIRMED', saga_state = 'DONE', version = version + 1, updated_at = now() WHERE id = $1",
  ),
};

const envelope = (type: string, orderId: string, data: object) =>
  JSON.stringify({
    id: randomUUID(),
    type,
    occurredAt: new Date().toISOString(),
    source: 'monolith',
    data: { orderId, ...data },
  });

type Client = import('pg').PoolClient;
async function transaction(work: (client: Client) => Promise<void>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await work(client);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

const products = Array.from({ length: productCount }, () => randomUUID());
const customers = Array.from({ length: 64 }, () => randomUUID());

async function placeOrder(n: number): Promise<void> {
  const orderId = randomUUID();
  const customerId = customers[n % customers.length]!;
  const productId = products[Math.floor(Math.random() * products.length)]!;
  const quantity = 1;
  const unit = 1000;
  const outbox = (client: Client, topic: string, data: object) =>
    client.query({
      ...SQL.outbox,
      values: [randomUUID(), topic, orderId, envelope(topic, orderId, data)],
    });
  await transaction(async (c) => {
    await c.query({ ...SQL.key, values: [customerId, randomUUID(), orderId, 'h'] });
    const reserved = await c.query({ ...SQL.reserve, values: [productId, quantity] });
    if (reserved.rowCount !== 1) throw new Error('out of stock');
    const reservationId = randomUUID();
    await c.query({ ...SQL.reservation, values: [reservationId, orderId] });
    await c.query({ ...SQL.reservationLine, values: [reservationId, productId, quantity] });
    await c.query({ ...SQL.order, values: [orderId, customerId, unit * quantity] });
    await c.query({
      ...SQL.orderLine,
      values: [orderId, productId, quantity, unit, unit * quantity],
    });
    await c.query({ ...SQL.step, values: [orderId, 'reserve_stock'] });
    await outbox(c, 'order.placed.v1', { customerId, totalMinor: unit * quantity });
  });
  const paymentId = randomUUID();
  await transaction(async (c) => {
    await c.query({ ...SQL.claim, values: [orderId] });
    await c.query({ ...SQL.payment, values: [paymentId, orderId, customerId, unit * quantity] });
    await c.query({
      ...SQL.operation,
      values: [randomUUID(), paymentId, orderId, 'authorize', unit * quantity],
    });
    await c.query({ ...SQL.sagaState, values: [orderId, 'COMMITTING'] });
    await c.query({ ...SQL.step, values: [orderId, 'authorize_payment'] });
    await outbox(c, 'payment.authorized.v1', { paymentId });
  });
  await transaction(async (c) => {
    await c.query({ ...SQL.claim, values: [orderId] });
    const committed = await c.query({ ...SQL.commitReservation, values: [orderId] });
    if (committed.rowCount !== 1) throw new Error('reservation gone');
    await c.query({ ...SQL.sell, values: [productId, quantity] });
    await c.query({ ...SQL.capture, values: [orderId] });
    await c.query({
      ...SQL.operation,
      values: [randomUUID(), paymentId, orderId, 'capture', unit * quantity],
    });
    await c.query({ ...SQL.confirm, values: [orderId] });
    await c.query({ ...SQL.step, values: [orderId, 'commit_stock'] });
    await c.query({ ...SQL.step, values: [orderId, 'capture_payment'] });
    await outbox(c, 'order.confirmed.v1', {});
  });
}

async function run(
  durationMs: number,
): Promise<{ orders: number; failed: number; wallMs: number; latencyMs: number[] }> {
  let orders = 0;
  let failed = 0;
  let n = 0;
  const latencyMs: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() - started < durationMs) {
        const t0 = performance.now();
        try {
          await placeOrder(n++);
          orders++;
          latencyMs.push(performance.now() - t0);
        } catch {
          failed++;
        }
      }
    }),
  );
  return { orders, failed, wallMs: performance.now() - started, latencyMs };
}

await pool.query(SCHEMA);
await pool.query(
  'INSERT INTO stock_levels (product_id, available) SELECT unnest($1::uuid[]), 10000000',
  [products],
);
await run(Math.min(2000, Number(process.env['R5_WARMUP_MS'] ?? 2000))); // warm: prepared statements, caches
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  const [command, ms] = line.trim().split(' ');
  if (command !== 'go') continue;
  const result = await run(Number(ms));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  break;
}
await pool.end();
process.exit(0);
