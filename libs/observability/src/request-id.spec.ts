import {
  ROOT_CONTEXT,
  defaultTextMapGetter,
  defaultTextMapSetter,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { RequestIdPropagator, getRequestId, setRequestId } from './request-id';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const propagator = new RequestIdPropagator(new W3CTraceContextPropagator());

describe('RequestIdPropagator', () => {
  it('continues a well-formed x-request-id next to the trace context', () => {
    const ctx = propagator.extract(
      ROOT_CONTEXT,
      { traceparent: TRACEPARENT, 'x-request-id': 'req-123', host: 'gateway' },
      defaultTextMapGetter,
    );
    expect(getRequestId(ctx)).toBe('req-123');
    expect(trace.getSpanContext(ctx)?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
  });

  it('starts a new id for an HTTP request at the edge without a usable one', () => {
    const ctx = propagator.extract(
      ROOT_CONTEXT,
      { 'x-request-id': 'not ok; <script>', host: 'localhost:8080' },
      defaultTextMapGetter,
    );
    expect(getRequestId(ctx)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('does not invent ids for gRPC metadata or Kafka headers (no Host)', () => {
    const ctx = propagator.extract(
      ROOT_CONTEXT,
      { traceparent: TRACEPARENT },
      defaultTextMapGetter,
    );
    expect(getRequestId(ctx)).toBeUndefined();
  });

  it('injects the id of the context into outbound carriers', () => {
    const carrier: Record<string, string> = {};
    propagator.inject(setRequestId(ROOT_CONTEXT, 'req-9'), carrier, defaultTextMapSetter);
    expect(carrier).toEqual({ 'x-request-id': 'req-9' });
    expect(propagator.fields()).toEqual(['traceparent', 'tracestate', 'x-request-id']);
  });
});
