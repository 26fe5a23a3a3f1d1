import type { TextMapGetter } from '@opentelemetry/api';
import { type EventEnvelope, serializeEvent, type TraceContext } from '@ordermesh/contracts';
import type { IHeaders, Message } from 'kafkajs';

/** Kafka record headers set on every event (lower-case, as W3C trace-context requires). */
export const EVENT_HEADERS = {
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  eventId: 'event-id',
  eventType: 'event-type',
} as const;

/** A header as a string; kafkajs hands consumed headers over as Buffers (or arrays of them). */
export function headerValue(headers: IHeaders | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  let raw = headers[name];
  if (raw === undefined) {
    const lower = name.toLowerCase();
    const match = Object.keys(headers).find((key) => key.toLowerCase() === lower);
    raw = match === undefined ? undefined : headers[match];
  }
  const first = Array.isArray(raw) ? raw[0] : raw;
  return first === undefined ? undefined : first.toString();
}

/** Lets `propagation.extract` read trace context from kafkajs headers. */
export const kafkaHeadersGetter: TextMapGetter<IHeaders | undefined> = {
  get: (carrier, key) => headerValue(carrier, key),
  keys: (carrier) => (carrier ? Object.keys(carrier) : []),
};

export function traceContextFromHeaders(headers: IHeaders | undefined): TraceContext {
  return {
    traceparent: headerValue(headers, EVENT_HEADERS.traceparent),
    tracestate: headerValue(headers, EVENT_HEADERS.tracestate),
  };
}

/**
 * The Kafka message of an event: key = envelope.key (per-aggregate ordering), value = the JSON
 * envelope. Trace context is duplicated into headers because that is where the OpenTelemetry
 * kafkajs instrumentation (and any non-Ordermesh consumer) looks; the instrumentation replaces
 * `traceparent` with its producer span when it is active, which keeps the same trace.
 */
export function eventMessage(envelope: EventEnvelope): Message {
  const headers: IHeaders = {
    [EVENT_HEADERS.eventId]: envelope.id,
    [EVENT_HEADERS.eventType]: envelope.type,
  };
  if (envelope.traceparent) headers[EVENT_HEADERS.traceparent] = envelope.traceparent;
  if (envelope.tracestate) headers[EVENT_HEADERS.tracestate] = envelope.tracestate;
  return { key: envelope.key, value: serializeEvent(envelope), headers };
}
