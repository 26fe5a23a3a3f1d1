import { randomUUID } from 'node:crypto';
import {
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  context,
  createContextKey,
} from '@opentelemetry/api';

/**
 * The request id: one per inbound HTTP request at the edge (the caller's `x-request-id` when it is
 * well-formed, otherwise a new UUID), carried in the OpenTelemetry context and, by
 * {@link RequestIdPropagator}, across every hop that propagates trace context (HTTP headers, gRPC
 * metadata, Kafka headers) as `x-request-id`. The logger writes it as `request_id` on every line.
 */
export const REQUEST_ID_HEADER = 'x-request-id';
const REQUEST_ID_KEY = createContextKey('ordermesh.request_id');
const WELL_FORMED = /^[\w-]{1,64}$/;

export function isWellFormedRequestId(value: unknown): value is string {
  return typeof value === 'string' && WELL_FORMED.test(value);
}

/** The request id of `ctx` (default: the active context), if any. */
export function getRequestId(ctx: Context = context.active()): string | undefined {
  const value = ctx.getValue(REQUEST_ID_KEY);
  return typeof value === 'string' ? value : undefined;
}

export function setRequestId(ctx: Context, requestId: string): Context {
  return ctx.setValue(REQUEST_ID_KEY, requestId);
}

function firstString(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Wraps the SDK's propagator (W3C trace context + baggage from OTEL_PROPAGATORS) and adds the
 * request id. Extracting from an inbound HTTP request without a usable `x-request-id` starts a new
 * id, so each request at the edge has one before any handler, middleware or log line runs.
 */
export class RequestIdPropagator implements TextMapPropagator {
  constructor(private readonly inner: TextMapPropagator) {}

  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    this.inner.inject(ctx, carrier, setter);
    const requestId = getRequestId(ctx);
    if (requestId) setter.set(carrier, REQUEST_ID_HEADER, requestId);
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const extracted = this.inner.extract(ctx, carrier, getter);
    const inbound = firstString(getter.get(carrier, REQUEST_ID_HEADER));
    if (isWellFormedRequestId(inbound)) return setRequestId(extracted, inbound);
    // Only HTTP requests have a Host header (gRPC metadata and Kafka headers do not): the edge.
    if (typeof firstString(getter.get(carrier, 'host')) === 'string') {
      return setRequestId(extracted, randomUUID());
    }
    return extracted;
  }

  fields(): string[] {
    return [...this.inner.fields(), REQUEST_ID_HEADER];
  }
}
