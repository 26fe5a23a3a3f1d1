import { context, createContextKey } from '@opentelemetry/api';

/**
 * The key @opentelemetry/core's `suppressTracing` sets (context keys are `Symbol.for(description)`),
 * spelled here so the libraries need only @opentelemetry/api. Instrumentations skip spans under it.
 */
const SUPPRESS_TRACING_KEY = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/**
 * Runs background housekeeping (outbox polling every ~150 ms, retention sweeps) without creating a
 * root trace for each of its SQL statements, which would bury the real traces in Jaeger.
 */
export function withoutTracing<T>(fn: () => T): T {
  return context.with(context.active().setValue(SUPPRESS_TRACING_KEY, true), fn);
}
