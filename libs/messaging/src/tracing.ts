import { type Context, ROOT_CONTEXT, context, propagation, trace } from '@opentelemetry/api';
import type { TraceContext } from '@ordermesh/contracts';
import type { IHeaders } from 'kafkajs';
import { kafkaHeadersGetter } from './headers';

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
