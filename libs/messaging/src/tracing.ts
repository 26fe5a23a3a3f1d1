import {
  type Context,
  ROOT_CONTEXT,
  context,
  createContextKey,
  propagation,
  trace,
} from '@opentelemetry/api';
import type { TraceContext } from '@ordermesh/contracts';
import type { IHeaders } from 'kafkajs';
import { kafkaHeadersGetter } from './headers';

/**
 * The key @opentelemetry/core's `suppressTracing` sets (context keys are `Symbol.for(description)`),
 * spelled here so the library needs only @opentelemetry/api. Instrumentations skip spans under it.
 */
const SUPPRESS_TRACING_KEY = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/**
 * Runs background housekeeping (outbox polling every ~150 ms, pruning) without creating a root
 * trace for each of its SQL statements, which would bury the real traces in Jaeger.
 */
export function withoutTracing<T>(fn: () => T): T {
  return context.with(context.active().setValue(SUPPRESS_TRACING_KEY, true), fn);
}

/** The W3C trace context of `ctx` (default: the active one), as stored in an event envelope. */
export function captureTraceContext(ctx: Context = context.active()): TraceContext {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return { traceparent: carrier['traceparent'], tracestate: carrier['tracestate'] };
}

/** A fresh context (not the caller's) continuing the trace recorded in an envelope. */
export function contextFromTraceContext(traceContext: TraceContext): Context {
  const carrier: Record<string, string> = {};
  if (traceContext.traceparent) carrier['traceparent'] = traceContext.traceparent;
  if (traceContext.tracestate) carrier['tracestate'] = traceContext.tracestate;
  return propagation.extract(ROOT_CONTEXT, carrier);
}

/**
 * The context a consumed record is handled in. When the kafkajs auto-instrumentation is active it
 * has already extracted the headers and made its consumer span current (a child of the producer
 * span), so that context is kept. Without it (tests, OTEL_SDK_DISABLED) the trace is continued
 * from the headers, then from the envelope's own fields.
 */
export function consumerContext(headers: IHeaders | undefined, envelope?: TraceContext): Context {
  const active = context.active();
  if (trace.getSpanContext(active)) return active;
  const fromHeaders = propagation.extract(ROOT_CONTEXT, headers, kafkaHeadersGetter);
  if (trace.getSpanContext(fromHeaders) || !envelope?.traceparent) return fromHeaders;
  return contextFromTraceContext(envelope);
}
