import { context, trace } from '@opentelemetry/api';
import { type EventType, eventCatalog, isEventType, parseEvent } from '@ordermesh/contracts';
import { setTimeout as delay } from 'node:timers/promises';
import { fullJitterBackoff } from '@ordermesh/resilience';
import { type MessagingLogger, errorMessage, silentLogger } from '../logger';
import type { MessagingMetrics } from '../metrics';
import { consumerContext, contextFromTraceContext } from '../tracing';
import { isInfrastructureError } from '@ordermesh/resilience';
import {
  ConsumerStoppingError,
  DEFAULT_RETRY_POLICY,
  type EventHandler,
  type EventOf,
  type InboundRecord,
  NonRetryableError,
  type RecordOutcome,
  type RetryPolicy,
} from './types';

export interface RecordProcessorOptions {
  group: string;
  handle: EventHandler<EventType>;
  /** Publishes the record to `<topic>.dlq`; rejects when that failed (the record is then not committed). */
  deadLetter: (record: InboundRecord, reason: string) => Promise<void>;
  retry?: Partial<RetryPolicy> | undefined;
  metrics?: MessagingMetrics | undefined;
  logger?: MessagingLogger | undefined;
  /**
   * Whether a failure means a dependency is unreachable (wait for it) rather than a problem of the
   * record (bounded retries, then the DLQ). Default: isInfrastructureError.
   */
  isInfrastructureError?: (error: unknown) => boolean;
  /** Injected by tests; default: real timers (aborted by the signal) and Math.random. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

const abortableSleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
  await delay(ms, undefined, signal ? { signal } : undefined);
};

/**
 * What happens to one consumed record, free of kafkajs: validate it, run the handler, and decide.
 * Resolving means "commit the offset":
 * - an invalid record, a NonRetryableError, or a handler failing `attempts` times for reasons of
 *   its own goes to `<topic>.dlq` (a poison record never blocks its partition);
 * - a failure because a dependency is unreachable (database, Redis, a downstream service) never
 *   counts against the record: the processor keeps retrying with bounded backoff, heartbeating,
 *   for as long as the outage lasts, so the partition pauses and nothing is lost or dead-lettered;
 * - it rejects (the offset stays uncommitted, kafkajs redelivers) when even dead-lettering failed,
 *   or when the consumer stops while the record waits for its dependency.
 */
export class RecordProcessor {
  private readonly retry: RetryPolicy;
  private readonly logger: MessagingLogger;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly isInfrastructureError: (error: unknown) => boolean;

  constructor(private readonly options: RecordProcessorOptions) {
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.logger = options.logger ?? silentLogger;
    this.sleep = options.sleep ?? abortableSleep;
    this.random = options.random ?? Math.random;
    this.isInfrastructureError = options.isInfrastructureError ?? isInfrastructureError;
  }

  /**
   * `heartbeat` keeps the group membership alive during long retries; `signal` (the consumer is
   * stopping) ends a wait for an unreachable dependency, leaving the record uncommitted.
   */
  async process(
    record: InboundRecord,
    heartbeat: () => Promise<void> = async () => undefined,
    signal?: AbortSignal,
  ): Promise<RecordOutcome> {
    const { topic } = record;
    const { group, metrics } = this.options;
    const stopTimer = metrics?.processingDuration.startTimer({ topic, group });
    try {
      const outcome = await context.with(consumerContext(record.headers), async () => {
        const decided = await this.decide(record, heartbeat, signal);
        // One line per handled event, in the producer's trace (like pino-http's per request).
        this.logger.log(`${group}: ${topic} ${decided}`);
        return decided;
      });
      metrics?.consumed.inc({ topic, group, outcome });
      return outcome;
    } finally {
      stopTimer?.();
    }
  }

  private async decide(
    record: InboundRecord,
    heartbeat: () => Promise<void>,
    signal: AbortSignal | undefined,
  ): Promise<RecordOutcome> {
    let event: EventOf<EventType>;
    try {
      // Topic = event type: a record of another type on this topic is as invalid as bad JSON.
      event = (
        isEventType(record.topic)
          ? parseEvent(record.topic, record.value)
          : parseEvent(record.value)
      ) as EventOf<EventType>;
    } catch (error) {
      return this.deadLetter(record, `invalid event: ${errorMessage(error)}`);
    }
    // Only the producer the event catalogue names publishes a type: an order.confirmed.v1 that
    // another workload wrote (to create a shipment, a notification …) is refused, never handled.
    const producer = isEventType(event.type) ? eventCatalog[event.type].producer : undefined;
    if (producer !== undefined && event.source !== producer) {
      return this.deadLetter(
        record,
        `forged event: ${event.type} comes from ${producer} only, this one claims source ${JSON.stringify(event.source.slice(0, 64))}`,
      );
    }

    // Without the kafkajs instrumentation, the envelope may carry the only trace context.
    const ctx = trace.getSpanContext(context.active())
      ? context.active()
      : contextFromTraceContext(event);
    return context.with(ctx, () => this.handleWithRetries(record, event, heartbeat, signal));
  }

  private async handleWithRetries(
    record: InboundRecord,
    event: EventOf<EventType>,
    heartbeat: () => Promise<void>,
    signal: AbortSignal | undefined,
  ): Promise<RecordOutcome> {
    const { topic, partition, offset } = record;
    const { group, metrics } = this.options;
    const where = `${topic}[${partition}]@${offset} event ${event.id}`;
    /** Failures of the record's own making; only these lead to the DLQ. */
    let failures = 0;
    /** Consecutive failures because a dependency is unreachable. */
    let outage = 0;
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw new ConsumerStoppingError(`${group}: stopping before ${where}`);
      try {
        const result = await this.options.handle(event, {
          topic,
          partition,
          offset,
          group,
          attempt,
          headers: record.headers ?? {},
        });
        if (outage > 0) {
          this.logger.log(`${group}: dependency back after ${outage} failed attempts at ${where}`);
        }
        return result === 'duplicate' ? 'duplicate' : 'processed';
      } catch (error) {
        if (error instanceof NonRetryableError) {
          return this.deadLetter(record, `non-retryable: ${errorMessage(error)}`);
        }
        let delayMs: number;
        if (this.isInfrastructureError(error)) {
          outage += 1;
          delayMs = Math.max(
            this.retry.outageBaseMs,
            fullJitterBackoff(
              outage - 1,
              this.retry.outageBaseMs,
              this.retry.outageCapMs,
              this.random,
            ),
          );
          // The first few and then every 10th: an outage would flood the log otherwise.
          if (outage <= 3 || outage % 10 === 0) {
            this.logger.warn(
              `${group}: dependency unavailable while handling ${where} (attempt ${attempt}); not committing, retrying in ${delayMs} ms: ${errorMessage(error)}`,
            );
          }
        } else {
          outage = 0;
          failures += 1;
          if (failures >= this.retry.attempts) {
            this.logger.error(
              `${group}: handler failed ${failures} times for ${where}: ${errorMessage(error)}`,
              error instanceof Error ? error.stack : undefined,
            );
            return this.deadLetter(
              record,
              `handler failed after ${failures} attempts: ${errorMessage(error)}`,
            );
          }
          delayMs = fullJitterBackoff(
            failures - 1,
            this.retry.baseMs,
            this.retry.capMs,
            this.random,
          );
          this.logger.warn(
            `${group}: handler failed for ${where} (attempt ${attempt}), retrying in ${delayMs} ms: ${errorMessage(error)}`,
          );
        }
        metrics?.consumed.inc({ topic, group, outcome: 'retried' });
        try {
          await this.sleep(delayMs, signal);
        } catch (aborted) {
          if (signal?.aborted) {
            throw new ConsumerStoppingError(`${group}: stopped while ${where} waited`);
          }
          throw aborted;
        }
        await heartbeat();
      }
    }
  }

  private async deadLetter(record: InboundRecord, reason: string): Promise<RecordOutcome> {
    this.logger.warn(
      `${this.options.group}: dead-lettering ${record.topic}[${record.partition}]@${record.offset}: ${reason}`,
    );
    await this.options.deadLetter(record, reason);
    this.options.metrics?.deadLettered.inc({ topic: record.topic });
    return 'dead_lettered';
  }
}
