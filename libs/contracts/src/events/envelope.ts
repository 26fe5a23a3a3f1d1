import { z } from 'zod';
import { idSchema, timestampSchema } from './fields';

/** W3C trace-context `traceparent` (version-traceid-parentid-flags). */
export const TRACEPARENT_PATTERN = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}(-.*)?$/;

/**
 * The Kafka message value of every event (JSON). `data` is validated separately by the schema of
 * `type` (see eventCatalog).
 */
export const eventEnvelopeSchema = z.object({
  /** Unique per event; consumers deduplicate on it. */
  id: idSchema,
  /** Event type = topic, e.g. `order.placed.v1`. */
  type: z.string().min(1),
  /** Producing service name. */
  source: z.string().min(1),
  /** When the fact happened (ISO-8601). */
  time: timestampSchema,
  /** Kafka message key (the aggregate id), also set as the record key. */
  key: z.string().min(1),
  traceparent: z.string().regex(TRACEPARENT_PATTERN, 'invalid W3C traceparent').optional(),
  tracestate: z.string().max(512).optional(),
  data: z.record(z.string(), z.unknown()),
});

export type EventEnvelopeShape = z.infer<typeof eventEnvelopeSchema>;

/** W3C trace context carrier, as filled by OpenTelemetry's `propagation.inject`. */
export interface TraceContext {
  traceparent?: string | undefined;
  tracestate?: string | undefined;
}
