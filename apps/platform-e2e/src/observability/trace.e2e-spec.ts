import { waitFor } from '@ordermesh/testing';
import { anonymous } from '../support/fixtures';
import { finalStatus, jaegerUrl, newTraceparent, orderableProduct, placeOrder } from './support';

/**
 * One order placed through the gateway with the caller's W3C `traceparent` is ONE trace in Jaeger:
 * HTTP at the gateway, gRPC metadata between services, Kafka headers through the outbox to the
 * consumers — every service that took part, with Kafka producer and consumer spans.
 */

interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  processID: string;
  tags: { key: string; value: unknown }[];
}
interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

const SERVICES = [
  'gateway',
  'order',
  'user',
  'product',
  'pricing',
  'inventory',
  'payment',
  'shipping',
  'notification',
];

const tag = (span: JaegerSpan, key: string) => span.tags.find((t) => t.key === key)?.value;
const isKafka = (span: JaegerSpan) =>
  tag(span, 'messaging.system') === 'kafka' ||
  /kafka/i.test(String(tag(span, 'otel.library.name') ?? ''));

async function fetchTrace(traceId: string): Promise<JaegerTrace[]> {
  const response = await fetch(`${jaegerUrl()}/api/traces/${traceId}`, {
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status === 404) return [];
  const body = (await response.json()) as { data: JaegerTrace[] | null };
  return body.data ?? [];
}

describe('distributed tracing of a placed order', () => {
  const { traceId, traceparent } = newTraceparent();
  let orderId = '';
  let secrets: string[] = [];
  let traces: JaegerTrace[] = [];

  beforeAll(async () => {
    const productId = await orderableProduct();
    const password = `pw-${traceId.slice(0, 12)}`;
    const email = `trace-${traceId.slice(0, 12)}@example.com`;
    await anonymous().post('/api/v1/auth/register', { email, password, name: 'Trace Tester' });
    const login = await anonymous().post<{ accessToken: string }>('/api/v1/auth/login', {
      email,
      password,
    });
    const customer = anonymous().withToken(login.body.accessToken);
    secrets = [password, email, login.body.accessToken];

    const order = await placeOrder(customer, productId, { traceparent });
    orderId = order.id;
    expect(await finalStatus(customer, orderId)).toBe('CONFIRMED');

    // Spans are exported in batches (every 5 s by default): wait until every service's are in.
    traces = await waitFor(
      async () => {
        const found = await fetchTrace(traceId);
        const services = new Set(
          found.flatMap((t) => Object.values(t.processes).map((p) => p.serviceName)),
        );
        const spans = found.flatMap((t) => t.spans);
        const kafka = spans.filter(isKafka);
        const done =
          SERVICES.every((s) => services.has(s)) &&
          kafka.some((s) => tag(s, 'span.kind') === 'producer') &&
          kafka.some((s) => tag(s, 'span.kind') === 'consumer');
        return done ? found : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 2_000, what: `trace ${traceId} in Jaeger` },
    ).catch(async (error: Error) => {
      traces = await fetchTrace(traceId);
      const seen = new Set(
        traces.flatMap((t) => Object.values(t.processes).map((p) => p.serviceName)),
      );
      throw new Error(
        `${error.message}; services in the trace so far: ${[...seen].sort().join(', ')}`,
      );
    });
  }, 150_000);

  it('continues the inbound traceparent: one trace', () => {
    expect(traces).toHaveLength(1);
    expect(traces[0]!.traceID).toBe(traceId);
  });

  it('has spans of every service that took part', () => {
    const services = new Set(Object.values(traces[0]!.processes).map((p) => p.serviceName));
    expect([...services].sort()).toEqual(expect.arrayContaining([...SERVICES].sort()));
  });

  it('crosses Kafka: producer and consumer spans, consumers in shipping and notification', () => {
    const trace = traces[0]!;
    const serviceOf = (span: JaegerSpan) => trace.processes[span.processID]!.serviceName;
    const kafka = trace.spans.filter(isKafka);
    const producers = kafka.filter((s) => tag(s, 'span.kind') === 'producer');
    const consumers = kafka.filter((s) => tag(s, 'span.kind') === 'consumer');
    expect(producers.map(serviceOf)).toContain('order');
    expect(consumers.map(serviceOf)).toEqual(expect.arrayContaining(['shipping', 'notification']));
  });

  it('crosses gRPC: client spans in the gateway and order, server spans downstream', () => {
    const trace = traces[0]!;
    const serviceOf = (span: JaegerSpan) => trace.processes[span.processID]!.serviceName;
    const grpc = trace.spans.filter((s) => tag(s, 'rpc.system') === 'grpc');
    const servers = new Set(grpc.filter((s) => tag(s, 'span.kind') === 'server').map(serviceOf));
    const clients = new Set(grpc.filter((s) => tag(s, 'span.kind') === 'client').map(serviceOf));
    expect([...clients]).toEqual(expect.arrayContaining(['gateway', 'order']));
    expect([...servers]).toEqual(expect.arrayContaining(['order', 'inventory', 'payment']));
  });

  it('tags the order spans with ordermesh.order.id', () => {
    const tagged = traces[0]!.spans.filter((s) => tag(s, 'ordermesh.order.id') === orderId);
    expect(tagged.length).toBeGreaterThan(0);
  });

  it('carries no personal data or credentials in span attributes', () => {
    const text = JSON.stringify(traces[0]!.spans.map((s) => s.tags));
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
