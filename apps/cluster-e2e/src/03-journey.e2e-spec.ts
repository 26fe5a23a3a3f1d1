import { randomBytes } from 'node:crypto';
import { leakKinds, logsQuery, waitFor, type ApiClient } from '@ordermesh/testing';
import { ADMIN, closeForwards, forward, gateway, SERVICES, seed, sql } from './support/platform';

/**
 * A customer's journey through `kubectl port-forward` to the gateway, as the README tells a user:
 * register, sign in, order → CONFIRMED, the storefront's page of the product, cancel → refunded
 * and restocked; then the same order's trace in the release's Jaeger with spans of all nine
 * services, its log lines of all nine in the release's VictoriaLogs from one query by its trace id
 * (none holding a secret), and Prometheus scraping them all.
 */
interface Order {
  id: string;
  status: string;
  steps: { step: string; status: string }[];
}
interface Product {
  id: string;
  stock: { available: number };
  degraded: boolean;
}

const traceId = randomBytes(16).toString('hex');
const traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;

async function finalOrder(client: ApiClient, id: string, status: string): Promise<Order> {
  return waitFor(
    async () => {
      const r = await client.get<Order>(`/api/v1/orders/${id}`);
      return r.status === 200 && r.body.status === status ? r.body : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 500, what: `order ${id} ${status}` },
  );
}

async function stockOf(client: ApiClient, id: string): Promise<number> {
  return waitFor(
    async () => {
      const r = await client.get<Product>(`/api/v1/products/${id}`);
      return r.status === 200 && !r.body.degraded ? r.body.stock.available : undefined;
    },
    { timeoutMs: 30_000, what: `a complete view of product ${id}` },
  );
}

describe('a customer journey through the port-forwarded gateway', () => {
  let customer: ApiClient;
  let productId = '';
  let order: Order;
  /** What this customer sent or was given that no log line may hold. */
  let secrets: string[] = [];

  beforeAll(async () => {
    await seed();
    const api = await gateway();
    const admin = await api.login(ADMIN.email, ADMIN.password);
    const created = await admin.post<{ id: string }>('/api/v1/products', {
      name: `Cluster product ${traceId.slice(0, 8)}`,
      description: 'made by the cluster journey',
      category: 'cluster-e2e',
      attributes: { suite: 'cluster' },
      basePrice: { amountMinor: 2500, currency: 'EUR' },
    });
    expect(created.status).toBe(201);
    productId = created.body.id;
    expect((await admin.put(`/api/v1/inventory/${productId}`, { quantity: 5 })).status).toBe(200);
    // The price is set, not left to the product.created event's way to the pricing service.
    const price = await admin.put(`/api/v1/prices/${productId}`, {
      listPrice: { amountMinor: 2500, currency: 'EUR' },
      discountBps: 0,
    });
    expect(price.status).toBe(200);
    const signedUp = await api.newCustomer('Cluster Customer');
    customer = signedUp.client;
    secrets = [signedUp.email, customer.token ?? signedUp.email];
  }, 300_000);

  afterAll(closeForwards);

  it('an order reaches CONFIRMED and takes its stock', async () => {
    const placed = await customer.request<Order>('POST', '/api/v1/orders', {
      body: { items: [{ productId, quantity: 2 }], paymentMethod: 'card' },
      headers: { 'Idempotency-Key': `cluster-${traceId}`, traceparent },
    });
    expect({ status: placed.status, body: placed.body }).toMatchObject({ status: 201 });
    order = await finalOrder(customer, placed.body.id, 'confirmed');
    expect(await stockOf(customer, productId)).toBe(3);
  });

  it("the release's storefront serves the product's page through the gateway, naming its pod", async () => {
    const storefront = await forward('storefront', 8081);
    const r = await fetch(`${storefront.url}/products/${productId}`, {
      signal: AbortSignal.timeout(15_000),
    });
    const html = await r.text();
    expect({ status: r.status, type: r.headers.get('content-type') }).toEqual({
      status: 200,
      type: expect.stringMatching(/^text\/html/),
    });
    expect(html).toContain(`Cluster product ${traceId.slice(0, 8)}`);
    expect(html).toMatch(/data-testid="instance">storefront-[\w-]+ /);
  });

  it('cancelling it refunds the payment and restocks', async () => {
    const cancel = await customer.post(`/api/v1/orders/${order.id}/cancel`, {
      reason: 'cluster test',
    });
    expect(cancel.status).toBe(200);
    const cancelled = await finalOrder(customer, order.id, 'cancelled');
    expect(cancelled.steps.map((s) => `${s.step}:${s.status}`)).toEqual(
      expect.arrayContaining(['refund_payment:compensated', 'restock_stock:compensated']),
    );
    const [payment] = await sql<{ status: string; refunded_minor: string }>(
      'payment_svc',
      'SELECT status, refunded_minor FROM payments WHERE order_id = $1',
      [order.id],
    );
    expect(payment).toEqual({ status: 'REFUNDED', refunded_minor: '5000' });
    expect(await stockOf(customer, productId)).toBe(5);
  });

  it("the order's trace in the release's Jaeger has spans of all nine services", async () => {
    const jaeger = await forward('jaeger', 16686);
    let seen: string[] = [];
    const services = await waitFor(
      async () => {
        const r = await fetch(`${jaeger.url}/api/traces/${traceId}`, {
          signal: AbortSignal.timeout(10_000),
        });
        if (r.status !== 200) return undefined;
        const body = (await r.json()) as {
          data: { processes: Record<string, { serviceName: string }> }[];
        };
        const names = new Set(
          Object.values(body.data[0]?.processes ?? {}).map((p) => p.serviceName),
        );
        seen = [...names].sort();
        return SERVICES.every((s) => names.has(s)) ? seen : undefined;
      },
      { timeoutMs: 240_000, intervalMs: 2_000, what: `trace ${traceId} with every service` },
    ).catch((error: Error) => {
      throw new Error(`${error.message}; services in it: ${seen.join(', ') || 'none'}`);
    });
    expect(services).toEqual(expect.arrayContaining([...SERVICES]));
  });

  it("one LogsQL query by the order's trace id returns log lines of all nine services, none with a secret", async () => {
    const victorialogs = await forward('victorialogs', 9428);
    const query = () => logsQuery(victorialogs.url, `trace_id:="${traceId}"`);
    let seen: string[] = [];
    const rows = await waitFor(
      async () => {
        const found = await query();
        seen = [...new Set(found.map((r) => r['service.name'] ?? ''))].sort();
        return SERVICES.every((s) => seen.includes(s)) ? found : undefined;
      },
      {
        timeoutMs: 120_000,
        intervalMs: 2_000,
        what: `log lines of trace ${traceId} from every service`,
      },
    ).catch((error: Error) => {
      throw new Error(`${error.message}; services with lines: ${seen.join(', ') || 'none'}`);
    });
    expect(rows.every((r) => r['trace_id'] === traceId)).toBe(true);
    // the pod that wrote each line, as the chart's resource attributes name it
    expect(rows.every((r) => /^[a-z]+-[\w-]+$/.test(r['k8s.pod.name'] ?? ''))).toBe(true);
    const leaks = rows.flatMap((r) =>
      leakKinds(JSON.stringify(r), secrets).map((k) => `${r['service.name']}: ${k}`),
    );
    expect(leaks).toEqual([]);
  });

  it("the release's Prometheus scrapes every service pod (up == 1)", async () => {
    const prometheus = await forward('prometheus', 9090);
    const up = await waitFor(
      async () => {
        const r = await fetch(`${prometheus.url}/api/v1/query?query=up{job="ordermesh"}`);
        const body = (await r.json()) as {
          data: { result: { metric: { service: string }; value: [number, string] }[] };
        };
        const byService = new Map<string, string[]>();
        for (const s of body.data.result)
          byService.set(s.metric.service, [...(byService.get(s.metric.service) ?? []), s.value[1]]);
        return SERVICES.every(
          (s) => (byService.get(s) ?? []).length > 0 && byService.get(s)!.every((v) => v === '1'),
        )
          ? byService
          : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 3_000, what: 'up == 1 for every service' },
    );
    expect([...up.keys()]).toEqual(expect.arrayContaining([...SERVICES]));
  });
});
