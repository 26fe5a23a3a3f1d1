import { randomUUID } from 'node:crypto';
// Loaded as outbox-relay.e2e-spec.ts loads it, earlier in the same Jest worker of a full run.
import '@ordermesh/messaging';
import type { ApiClient } from '@ordermesh/testing';
import { admin, anonymous, createProduct } from '../support/fixtures';
import { newTraceparent } from './support';

/**
 * Every order placed with a caller's `traceparent` records, and answers with, that trace — many at
 * once, beside untraced orders, product views and the sagas of earlier orders — never a valid
 * trace id of some other trace.
 *
 * It failed in full runs only (storefront.e2e-spec.ts, after outbox-relay.e2e-spec.ts in the same
 * worker): importing @ordermesh/messaging pulled in the service bootstrap, which imported the
 * OpenTelemetry preload and so started the SDK in the test process; its undici instrumentation
 * then appended a second `traceparent` to every `fetch` of the tests, and the gateway, unable to
 * parse the joined header, started a trace of its own. This file imports the library the same
 * way, so it fails alone when a library import instruments the importer again
 * (libs/service-kit/src/no-instrumentation-on-import.spec.ts pins the cause).
 *
 * Bounded: ROUNDS × PARALLEL traced orders, as many untraced ones and reads; loopback only.
 */

const ROUNDS = 6;
const PARALLEL = 8;

interface Placed {
  id: string;
  traceId: string | null;
}

describe('trace context under concurrent load', () => {
  let productId = '';
  const customers: ApiClient[] = [];

  beforeAll(async () => {
    productId = (await createProduct(await admin(), { stock: 10_000, amountMinor: 500 })).id;
    // One after the other: registration hashes a password (argon2), four at once can miss the
    // gateway's deadline on a busy two-core machine.
    for (let i = 0; i < 4; i++) {
      customers.push((await anonymous().newCustomer('Trace Isolation')).client);
    }
  });

  const place = (customer: ApiClient, headers: Record<string, string> = {}) =>
    customer.request<Placed>('POST', '/api/v1/orders', {
      body: { items: [{ productId, quantity: 1 }], paymentMethod: 'card' },
      headers: { 'idempotency-key': `iso-${randomUUID()}`, ...headers },
    });

  it('every order placed with a traceparent carries that trace, while others run', async () => {
    const mismatches: string[] = [];
    const checked: { customer: ApiClient; id: string; traceId: string }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(
        Array.from({ length: PARALLEL }, async (_, i) => {
          const customer = customers[(round + i) % customers.length]!;
          const { traceId, traceparent } = newTraceparent();
          // The background traffic of this slot: an untraced order and a product view.
          const [traced] = await Promise.all([
            place(customer, { traceparent }),
            place(customers[(round + i + 1) % customers.length]!),
            anonymous().get(`/api/v1/products/${productId}`),
          ]);
          if (traced.status !== 201) {
            throw new Error(`place order: ${traced.status} ${JSON.stringify(traced.body)}`);
          }
          if (traced.body.traceId !== traceId) {
            mismatches.push(`order ${traced.body.id}: sent ${traceId}, got ${traced.body.traceId}`);
          }
          checked.push({ customer, id: traced.body.id, traceId });
        }),
      );
    }
    // What the order stored, not only what the placing request answered.
    for (const { customer, id, traceId } of checked) {
      const stored = await customer.get<Placed>(`/api/v1/orders/${id}`);
      expect(stored.status).toBe(200);
      if (stored.body.traceId !== traceId) {
        mismatches.push(`stored order ${id}: sent ${traceId}, stored ${stored.body.traceId}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toHaveLength(ROUNDS * PARALLEL);
  });
});
