/**
 * Restart safety of the order saga: the saga's state lives in PostgreSQL, so killing the order
 * service (SIGKILL, no graceful shutdown) while orders are being placed and paid must not lose
 * any: once it runs again every order reaches a final state, stock and payments consistent.
 */
import { randomUUID } from 'node:crypto';
import { killComponent, startComponent, waitFor } from '@ordermesh/testing';
import { Client } from 'pg';
import { connection } from '../support/connection-env';
import { admin, anonymous, createProduct } from '../support/fixtures';
import {
  Backends,
  FINAL,
  PAYMENT_TEST_CONTROLS,
  listOrders,
  placeOrder,
  type OrderView,
} from './order-support';
import type { ApiResponse } from '@ordermesh/testing';

const STOCK = 200;
const CONCURRENCY = 4;

describe('order saga: restart safety', () => {
  let backends: Backends;
  let orderDb: Client;

  beforeAll(async () => {
    backends = new Backends();
    orderDb = new Client({ connectionString: connection.postgres.databases['order']?.url });
    await orderDb.connect();
  });

  afterAll(async () => {
    if (PAYMENT_TEST_CONTROLS) {
      await backends.payment.rpc
        .configureTestControls({ declineMethods: [], latencyMs: 0, errorRateBps: 0 })
        .catch(() => undefined);
    }
    backends?.close();
    await orderDb?.end();
  });

  it('every order placed around a SIGKILL reaches a final state after the restart', async () => {
    const adminClient = await admin();
    const product = await createProduct(adminClient, { stock: STOCK, amountMinor: 450 });
    const { client } = await anonymous().newCustomer();
    if (PAYMENT_TEST_CONTROLS) {
      // Slow payments keep more sagas in flight when the kill lands.
      await backends.payment.rpc.configureTestControls({
        declineMethods: [],
        latencyMs: 1_000,
        errorRateBps: 0,
      });
    }

    // Orders keep coming while the kill is on its way, so it lands mid-placement and mid-saga.
    const responses: ApiResponse<OrderView>[] = [];
    let killed = false;
    const place = async () => {
      while (!killed) {
        const response = await placeOrder(client, [{ productId: product.id, quantity: 1 }]).catch(
          () => undefined,
        );
        if (response) responses.push(response);
        // While order is down the gateway answers 503 at once: no tight loop against it.
        if (response?.status !== 201) await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const placing = Array.from({ length: CONCURRENCY }, place);
    await new Promise((resolve) => setTimeout(resolve, 300));
    try {
      await killComponent('order');
    } finally {
      killed = true;
      await Promise.all(placing);
    }
    const { rows } = await orderDb.query<{ state: string; n: number }>(
      `SELECT saga_state AS state, count(*)::int AS n FROM orders
       WHERE customer_id = $1 GROUP BY saga_state ORDER BY 1`,
      [
        responses.find((r) => r.status === 201)?.body.customerId ??
          '00000000-0000-0000-0000-000000000000',
      ],
    );
    console.log(
      `killed with ${responses.filter((r) => r.status === 201).length} orders accepted; ` +
        `saga states at the kill: ${rows.map((r) => `${r.state}=${r.n}`).join(', ')}`,
    );
    await startComponent('order');
    if (PAYMENT_TEST_CONTROLS) {
      await backends.payment.rpc.configureTestControls({
        declineMethods: [],
        latencyMs: 0,
        errorRateBps: 0,
      });
    }

    const accepted = responses.filter((r) => r.status === 201).map((r) => r.body.id);
    expect(accepted.length).toBeGreaterThan(0);
    // The gateway reconnects to the restarted service on its own; until then reads are 503.
    const orders = await waitFor(
      async () => {
        const all = await listOrders(client).catch(() => undefined);
        return all && all.length > 0 && all.every((o) => FINAL.has(o.status)) ? all : undefined;
      },
      { timeoutMs: 150_000, intervalMs: 1_000, what: 'every order to reach a final state' },
    );
    // Every acknowledged order exists (more may: committed, but the reply was cut by the kill).
    const ids = new Set(orders.map((o) => o.id));
    for (const id of accepted) expect(ids).toContain(id);
    // Nothing declined them and there was stock for all: each one is confirmed, exactly once.
    expect(orders.map((o) => o.status)).toEqual(orders.map(() => 'confirmed'));
    const level = await backends.stock(product.id);
    expect(level.sold).toBe(orders.length);
    // A reservation of a placement cut by the kill (never committed) is held until its TTL.
    expect(level.available + level.reserved + level.sold).toBe(STOCK);
    for (const order of orders) {
      const { payment } = await backends.payment.rpc.getPayment({ orderId: order.id });
      expect(payment?.capturedAmount).toEqual({ amountMinor: 450, currency: 'EUR' });
    }
  }, 300_000);

  it('forgets idempotency keys older than IDEMPOTENCY_KEY_RETENTION_HOURS (swept at start-up)', async () => {
    const customerId = randomUUID();
    const key = (age: string) =>
      orderDb.query(
        `INSERT INTO idempotency_keys (customer_id, key, order_id, request_hash, created_at)
         VALUES ($1, $2, $3, 'h', now() - $4::interval)`,
        [customerId, `retention-${age}`, randomUUID(), age],
      );
    await killComponent('order');
    await key('8 days'); // past the default 168 h
    await key('6 days');
    await startComponent('order');
    const kept = await waitFor(
      async () => {
        const { rows } = await orderDb.query<{ key: string }>(
          'SELECT key FROM idempotency_keys WHERE customer_id = $1',
          [customerId],
        );
        return rows.length === 1 ? rows.map((r) => r.key) : undefined;
      },
      { timeoutMs: 30_000, what: 'the expired idempotency key swept' },
    );
    expect(kept).toEqual(['retention-6 days']);
  }, 120_000);

  it('takes orders through the gateway again as soon as the restarted service is ready', async () => {
    const product = await createProduct(await admin(), { stock: 10, amountMinor: 450 });
    const { client } = await anonymous().newCustomer();
    await killComponent('order');
    await startComponent('order');
    // The gateway's channel reconnects within its reconnect backoff (≤ 2 s), not after a DNS
    // re-resolution interval (at 5 s it answered 503 for up to 6 s after the restart).
    await waitFor(
      async () => {
        const response = await placeOrder(client, [{ productId: product.id, quantity: 1 }]);
        return response.status === 201 ? response : undefined;
      },
      { timeoutMs: 3_000, intervalMs: 100, what: 'an order placed through the gateway' },
    );
  }, 60_000);
});
