import { ROOT_CONTEXT, context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { USER_REGISTERED_V1, createEvent, parseEvent } from '@ordermesh/contracts';
import { EVENT_HEADERS, eventMessage, headerValue, traceContextFromHeaders } from './headers';
import { captureTraceContext, consumerContext, contextFromTraceContext } from './tracing';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';
const TRACEPARENT = `00-${TRACE_ID}-${SPAN_ID}-01`;

const data = {
  userId: '0b7e3b0a-4a4c-4a55-8c0c-4b8f5f0e9b02',
  email: 'ada@example.com',
  name: 'Ada',
  role: 'CUSTOMER' as const,
  registeredAt: '2026-11-25T12:00:00.000Z',
};

beforeAll(() => {
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => {
  propagation.disable();
  context.disable();
});

describe('event message mapping', () => {
  it('keys by the envelope key and carries id, type and trace context in headers', () => {
    const envelope = createEvent(USER_REGISTERED_V1, data, {
      source: 'user',
      traceContext: { traceparent: TRACEPARENT, tracestate: 'vendor=1' },
    });
    const message = eventMessage(envelope);
    expect(message.key).toBe(data.userId);
    expect(parseEvent(USER_REGISTERED_V1, message.value)).toEqual(envelope);
    expect(message.headers).toEqual({
      [EVENT_HEADERS.eventId]: envelope.id,
      [EVENT_HEADERS.eventType]: 'user.registered.v1',
      [EVENT_HEADERS.traceparent]: TRACEPARENT,
      [EVENT_HEADERS.tracestate]: 'vendor=1',
    });
  });

  it('omits trace headers of an event created outside any trace', () => {
    const message = eventMessage(createEvent(USER_REGISTERED_V1, data, { source: 'user' }));
    expect(Object.keys(message.headers ?? {}).sort()).toEqual(['event-id', 'event-type']);
  });

  it('reads consumed headers whether Buffers, strings or arrays', () => {
    const headers = {
      traceparent: Buffer.from(TRACEPARENT),
      'Event-Type': 'x.v1',
      multi: [Buffer.from('first'), 'second'],
      absent: undefined,
    };
    expect(headerValue(headers, 'traceparent')).toBe(TRACEPARENT);
    expect(headerValue(headers, 'event-type')).toBe('x.v1');
    expect(headerValue(headers, 'multi')).toBe('first');
    expect(headerValue(headers, 'absent')).toBeUndefined();
    expect(headerValue(undefined, 'traceparent')).toBeUndefined();
    expect(traceContextFromHeaders(headers)).toEqual({
      traceparent: TRACEPARENT,
      tracestate: undefined,
    });
  });
});

describe('trace context', () => {
  const spanContext = { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 };

  it('captures the active trace as W3C traceparent', () => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, spanContext);
    expect(context.with(ctx, () => captureTraceContext())).toEqual({
      traceparent: TRACEPARENT,
      tracestate: undefined,
    });
    expect(captureTraceContext(ROOT_CONTEXT)).toEqual({
      traceparent: undefined,
      tracestate: undefined,
    });
  });

  it('restores the trace of an envelope as a fresh context', () => {
    const restored = contextFromTraceContext({ traceparent: TRACEPARENT });
    expect(trace.getSpanContext(restored)).toMatchObject({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      isRemote: true,
    });
    expect(trace.getSpanContext(contextFromTraceContext({}))).toBeUndefined();
  });

  it('continues the producer trace from Kafka headers when no instrumentation did', () => {
    const ctx = consumerContext({ traceparent: Buffer.from(TRACEPARENT) });
    expect(trace.getSpanContext(ctx)?.traceId).toBe(TRACE_ID);
  });

  it('falls back to the envelope, and keeps an active span (the instrumentation consumer span)', () => {
    expect(trace.getSpanContext(consumerContext({}, { traceparent: TRACEPARENT }))?.traceId).toBe(
      TRACE_ID,
    );
    const other = { traceId: 'f'.repeat(32), spanId: 'e'.repeat(16), traceFlags: 1 };
    const active = trace.setSpanContext(ROOT_CONTEXT, other);
    const kept = context.with(active, () => consumerContext({ traceparent: TRACEPARENT }));
    expect(trace.getSpanContext(kept)?.traceId).toBe(other.traceId);
  });
});
