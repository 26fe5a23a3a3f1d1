import { SERVICE_NAMES as SERVICES } from '@ordermesh/contracts';
import { leakKinds, logsQuery, type LogRow, waitFor } from '@ordermesh/testing';
import { connection } from '../support/connection-env';
import { anonymous } from '../support/fixtures';
import { finalStatus, newTraceparent, orderableProduct, placeOrder } from './support';

/**
 * Every service's logs in one store: the pino records each service writes go, redacted as written,
 * over OTLP to VictoriaLogs. One LogsQL query by an order's trace id returns lines of all nine
 * backend services; its request id and its order id find lines too; no stored line holds a
 * password, token, hash, email address or card number.
 */

/** A LogsQL query against the platform's log store. */
const storedLogs = (query: string) => logsQuery(connection.victorialogs.url, query);

const serviceOf = (row: LogRow) => row['service.name'] ?? '';

describe('centralised logs of one order', () => {
  const { traceId, traceparent } = newTraceparent();
  let orderId = '';
  let secrets: string[] = [];

  beforeAll(async () => {
    const productId = await orderableProduct();
    const password = `pw-${traceId.slice(0, 12)}`;
    const email = `logs-${traceId.slice(0, 12)}@example.com`;
    await anonymous().post('/api/v1/auth/register', { email, password, name: 'Log Reader' });
    const login = await anonymous().post<{ accessToken: string; refreshToken?: string }>(
      '/api/v1/auth/login',
      { email, password },
    );
    const customer = anonymous().withToken(login.body.accessToken);
    secrets = [password, email, login.body.accessToken, login.body.refreshToken ?? password];
    const order = await placeOrder(customer, productId, { traceparent });
    orderId = order.id;
    expect(await finalStatus(customer, orderId)).toBe('CONFIRMED');
    const read = await customer.get<{ traceId?: string }>(`/api/v1/orders/${orderId}`);
    expect(read.body.traceId).toBe(traceId);
  });

  it("one query by the order's trace id returns lines of all nine services, none with a secret", async () => {
    // Each process exports its records every second: wait until every service's have arrived.
    const rows = await waitFor(
      async () => {
        const found = await storedLogs(`trace_id:="${traceId}"`);
        const services = new Set(found.map(serviceOf));
        return SERVICES.every((s) => services.has(s)) ? found : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 1_000, what: 'log lines of all nine services' },
    ).catch(async (error: Error) => {
      const services = [...new Set((await storedLogs(`trace_id:="${traceId}"`)).map(serviceOf))];
      throw new Error(`${error.message}; services with lines: ${services.sort().join(', ')}`);
    });
    expect([...new Set(rows.map(serviceOf))].sort()).toEqual([...SERVICES].sort());
    for (const row of rows) {
      expect(row['trace_id']).toBe(traceId);
      expect(row['span_id']).toMatch(/^[0-9a-f]{16}$/);
      expect(row['_msg']).toEqual(expect.any(String));
      expect(row['severity_text']).toEqual(
        expect.stringMatching(/^(trace|debug|info|warn|error|fatal)$/),
      );
    }
    const leaks = rows.flatMap((row) =>
      leakKinds(JSON.stringify(row), secrets).map((kind) => `${serviceOf(row)}: ${kind}`),
    );
    expect(leaks).toEqual([]);
  });

  it('its request id and its order id find lines too', async () => {
    const gatewayRows = (await storedLogs(`trace_id:="${traceId}"`)).filter(
      (r) => serviceOf(r) === 'gateway' && r['request_id'],
    );
    const requestId = gatewayRows[0]?.['request_id'] ?? '';
    expect(requestId).toMatch(/^[\w-]{1,64}$/);
    const byRequest = await storedLogs(`request_id:="${requestId}"`);
    expect(byRequest.length).toBeGreaterThan(0);
    expect(byRequest.every((r) => r['request_id'] === requestId)).toBe(true);
    const byOrder = await storedLogs(`order_id:="${orderId}"`);
    expect(byOrder.length).toBeGreaterThan(0);
    expect(byOrder.map(serviceOf)).toContain('order');
    expect(byOrder.some((r) => r['trace_id'] === traceId)).toBe(true);
  });
});
