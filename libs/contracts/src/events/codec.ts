import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { ServiceName } from '../services';
import {
  type EventData,
  type EventDataInput,
  type EventType,
  getEventDefinition,
  isEventType,
} from './catalog';
import { eventEnvelopeSchema, type TraceContext } from './envelope';

export type EventIssue = z.core.$ZodIssue;

/** A validated event. */
export interface EventEnvelope<T extends EventType = EventType> {
  id: string;
  type: T;
  source: string;
  time: string;
  key: string;
  traceparent?: string | undefined;
  tracestate?: string | undefined;
  data: EventData<T>;
}

/** Union of all events, discriminated by `type`. */
export type AnyEventEnvelope = { [T in EventType]: EventEnvelope<T> }[EventType];

/** An event (or raw message) failed validation; `issues` are zod issues with paths from the envelope root. */
export class EventValidationError extends Error {
  override readonly name = 'EventValidationError';

  constructor(
    /** The event type, when known. */
    readonly eventType: string | undefined,
    readonly issues: readonly EventIssue[],
  ) {
    super(
      `invalid event${eventType ? ` ${eventType}` : ''}: ${issues
        .map(
          (issue) =>
            `${issue.path.length ? issue.path.map(String).join('.') : '(root)'}: ${issue.message}`,
        )
        .join('; ')}`,
    );
  }
}

function customIssue(message: string, path: PropertyKey[] = []): EventIssue {
  return { code: 'custom', message, path };
}

function prefixed(issues: readonly EventIssue[], prefix: PropertyKey): EventIssue[] {
  return issues.map((issue) => ({ ...issue, path: [prefix, ...issue.path] }));
}

export interface CreateEventOptions {
  /** Producing service (must be the catalogue's producer in production code). */
  source: ServiceName;
  /** Kafka key; defaults to the catalogue's key field of `data`. */
  key?: string | undefined;
  traceContext?: TraceContext | undefined;
  /** Defaults to a random UUID. */
  id?: string | undefined;
  /** Defaults to now. */
  time?: Date | string | undefined;
}

/** Builds a validated envelope; throws EventValidationError when `data` or the options are invalid. */
export function createEvent<T extends EventType>(
  type: T,
  data: EventDataInput<T>,
  options: CreateEventOptions,
): EventEnvelope<T> {
  const definition = getEventDefinition(type);
  const parsedData = definition.schema.safeParse(data);
  if (!parsedData.success)
    throw new EventValidationError(type, prefixed(parsedData.error.issues, 'data'));

  const validData = parsedData.data as Record<string, unknown>;
  const time = options.time ?? new Date();
  const candidate: Record<string, unknown> = {
    id: options.id ?? randomUUID(),
    type,
    source: options.source,
    time: typeof time === 'string' ? time : time.toISOString(),
    key: options.key ?? String(validData[definition.keyField]),
    data: validData,
  };
  if (options.traceContext?.traceparent)
    candidate['traceparent'] = options.traceContext.traceparent;
  if (options.traceContext?.tracestate) candidate['tracestate'] = options.traceContext.tracestate;

  const envelope = eventEnvelopeSchema.safeParse(candidate);
  if (!envelope.success) throw new EventValidationError(type, envelope.error.issues);
  return { ...envelope.data, type, data: validData as EventData<T> };
}

/** JSON for the Kafka message value. */
export function serializeEvent(event: EventEnvelope): string {
  return JSON.stringify(event);
}

function decodeRaw(raw: unknown, expected: string | undefined): unknown {
  if (raw instanceof Uint8Array) raw = new TextDecoder().decode(raw);
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new EventValidationError(expected, [customIssue('message value is not valid JSON')]);
  }
}

/**
 * Validates a consumed event: `raw` is a Kafka message value (Buffer or string, JSON) or an already
 * parsed object. With `type`, the event must be of that type. Throws EventValidationError for bad
 * JSON, an invalid envelope, an unknown or unexpected type, or invalid `data`.
 */
export function parseEvent(raw: unknown): AnyEventEnvelope;
export function parseEvent<T extends EventType>(type: T, raw: unknown): EventEnvelope<T>;
export function parseEvent(...args: [unknown] | [EventType, unknown]): AnyEventEnvelope {
  const [expected, raw] = args.length === 2 ? args : [undefined, args[0]];
  const envelope = eventEnvelopeSchema.safeParse(decodeRaw(raw, expected));
  if (!envelope.success) throw new EventValidationError(expected, envelope.error.issues);

  const { type } = envelope.data;
  if (expected !== undefined && type !== expected) {
    throw new EventValidationError(expected, [
      customIssue(`expected type ${expected}, got ${type}`, ['type']),
    ]);
  }
  if (!isEventType(type))
    throw new EventValidationError(type, [customIssue(`unknown event type ${type}`, ['type'])]);

  const data = getEventDefinition(type).schema.safeParse(envelope.data.data);
  if (!data.success) throw new EventValidationError(type, prefixed(data.error.issues, 'data'));
  return { ...envelope.data, type, data: data.data } as AnyEventEnvelope;
}
