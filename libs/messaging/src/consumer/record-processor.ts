import { context, trace } from '@opentelemetry/api';
import { type EventType, isEventType, parseEvent } from '@ordermesh/contracts';
import { type BackoffPolicy, fullJitterDelay, sleep } from '../backoff';
import { type MessagingLogger, errorMessage, silentLogger } from '../logger';
import type { MessagingMetrics } from '../metrics';
import { consumerContext, contextFromTraceContext } from '../tracing';
import {
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
  /** Injected by tests; default: real timers and Math.random. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/**
 * What happens to one consumed record, free of kafkajs: validate it, run the handler with bounded
 * retries, and dead-letter what cannot be processed. Resolving means "commit the offset"; it only
 * rejects when even dead-lettering failed, so a poison record never blocks its partition while a
 * Kafka outage never loses one.
 */
export class RecordProcessor {
  private readonly retry: RetryPolicy;
  private readonly logger: MessagingLogger;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly options: RecordProcessorOptions) {
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.logger = options.logger ?? silentLogger;
    this.sleep = options.sleep ?? sleep;
    this.random = options.random ?? Math.random;
  }

  /** `heartbeat` keeps the group membership alive during long retries. */
  async process(
    record: InboundRecord,
    heartbeat: () => Promise<void> = async () => undefined,
  ): Promise<RecordOutcome> {
    const { topic } = record;
    const { group, metrics } = this.options;
    const stopTimer = metrics?.processingDuration.startTimer({ topic, group });
    try {
      const outcome = await context.with(consumerContext(record.headers), () =>
        this.decide(record, heartbeat),
      );
      metrics?.consumed.inc({ topic, group, outcome });
      return outcome;
    } finally {
      stopTimer?.();
    }
  }

  private async decide(
    record: InboundRecord,
    heartbeat: () => Promise<void>,
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

    // Without the kafkajs instrumentation, the envelope may carry the only trace context.
    const ctx = trace.getSpanContext(context.active())
      ? context.active()
      : contextFromTraceContext(event);
    return context.with(ctx, () => this.handleWithRetries(record, event, heartbeat));
  }

  private async handleWithRetries(
    record: InboundRecord,
    event: EventOf<EventType>,
    heartbeat: () => Promise<void>,
  ): Promise<RecordOutcome> {
    const { topic, partition, offset } = record;
    const { group, metrics } = this.options;
    const policy: BackoffPolicy = { baseMs: this.retry.baseMs, capMs: this.retry.capMs };
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.options.handle(event, {
          topic,
          partition,
          offset,
          group,
          attempt,
          headers: record.headers ?? {},
        });
        return result === 'duplicate' ? 'duplicate' : 'processed';
      } catch (error) {
        const where = `${topic}[${partition}]@${offset} event ${event.id}`;
        if (error instanceof NonRetryableError) {
          return this.deadLetter(record, `non-retryable: ${errorMessage(error)}`);
        }
        if (attempt >= this.retry.attempts) {
          this.logger.error(
            `${group}: handler failed ${attempt} times for ${where}: ${errorMessage(error)}`,
            error instanceof Error ? error.stack : undefined,
          );
          return this.deadLetter(
            record,
            `handler failed after ${attempt} attempts: ${errorMessage(error)}`,
          );
        }
        const delayMs = fullJitterDelay(attempt, policy, this.random);
        this.logger.warn(
          `${group}: handler failed for ${where} (attempt ${attempt}), retrying in ${delayMs} ms: ${errorMessage(error)}`,
        );
        metrics?.consumed.inc({ topic, group, outcome: 'retried' });
        await this.sleep(delayMs);
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
