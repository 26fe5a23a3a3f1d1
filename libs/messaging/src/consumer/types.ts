import type { EventEnvelope, EventType } from '@ordermesh/contracts';
import type { IHeaders } from 'kafkajs';

/** A consumed Kafka record, as kafkajs' eachMessage hands it over (narrowed for tests). */
export interface InboundRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders | undefined;
  timestamp?: string | undefined;
}

/** A validated event of one of the types `T`, discriminated by `type`. */
export type EventOf<T extends EventType> = { [K in T]: EventEnvelope<K> }[T];

export interface EventMeta {
  topic: string;
  partition: number;
  offset: string;
  /** The consumer group (= service name). */
  group: string;
  /** 1 on first delivery to the handler, 2+ on retries. */
  attempt: number;
  headers: IHeaders;
}

/**
 * What a handler may report: `processOnce` returns 'duplicate' for a redelivered event, which is
 * counted separately. Returning nothing means processed.
 */
export type HandleResult = 'processed' | 'duplicate';

export type EventHandler<T extends EventType = EventType> = (
  event: EventOf<T>,
  meta: EventMeta,
) => Promise<HandleResult | void>;

export type RecordOutcome = 'processed' | 'duplicate' | 'dead_lettered';

export interface RetryPolicy {
  /**
   * Handler attempts in total, the first included, for failures of the record's own making. Failures
   * because a dependency is unreachable do not count: see `outageBaseMs`.
   */
  attempts: number;
  baseMs: number;
  capMs: number;
  /**
   * While a dependency is unreachable (isInfrastructureError), the record is retried without limit
   * — never dead-lettered, never committed — with full-jitter backoff from this base …
   */
  outageBaseMs: number;
  /** … up to this cap, well below the group's session timeout (heartbeats go out in between). */
  outageCapMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 3,
  baseMs: 100,
  capMs: 2_000,
  outageBaseMs: 250,
  outageCapMs: 5_000,
};

/**
 * Thrown by a handler when retrying cannot help (e.g. the event refers to something that can never
 * exist here): the record goes to the DLQ at once.
 */
export class NonRetryableError extends Error {
  override readonly name = 'NonRetryableError';
}

/**
 * The consumer is stopping while a record waits for its dependency: the record is left
 * uncommitted (it is redelivered after the restart) and the shutdown goes on.
 */
export class ConsumerStoppingError extends Error {
  override readonly name = 'ConsumerStoppingError';
}
