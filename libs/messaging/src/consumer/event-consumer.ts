import { dlqTopic, type EventType } from '@ordermesh/contracts';
import type { Metrics } from '@ordermesh/observability';
import { fullJitterBackoff } from '@ordermesh/resilience';
import type { Consumer, ConsumerConfig } from 'kafkajs';
import { type MessagingLogger, errorMessage, silentLogger } from '../logger';
import { type MessagingMetrics, messagingMetrics } from '../metrics';
import type { EventPublisher } from '../publisher';
import { deadLetterMessage } from './dead-letter';
import { type LagAdmin, groupLag } from './lag';
import { RecordProcessor } from './record-processor';
import type { EventHandler, InboundRecord, RetryPolicy } from './types';

export interface ConsumeOptions<T extends EventType> {
  /** Consumer group; by convention the service name (the default). */
  groupId?: string;
  topics: readonly T[];
  /** Typed by `topics`: the event is the union of their envelopes, discriminated by `type`. */
  handle: EventHandler<NoInfer<T>>;
  /**
   * Where a group without committed offsets starts. Default true: a service deployed after events
   * were published must still see them (topics are retained, consumers are idempotent).
   */
  fromBeginning?: boolean;
  retry?: Partial<RetryPolicy>;
  /** Partitions handled in parallel (order is kept within each). Default 1. */
  partitionsConsumedConcurrently?: number;
}

export interface ConsumerHandle {
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Resolves once the consumer joined its group (tests wait for it before producing). */
  readonly joined: Promise<void>;
  /** Lets the in-flight record finish and commit, then leaves the group. */
  stop(): Promise<void>;
}

export interface EventConsumerOptions {
  kafka: { consumer(config: ConsumerConfig): Consumer };
  publisher: Pick<EventPublisher, 'publishRaw'>;
  /** Group used when `consume` names none: the service name. */
  defaultGroupId?: string | undefined;
  /** Admin client for the lag gauge; without it no lag is reported. */
  admin?: (() => Promise<LagAdmin>) | undefined;
  metrics?: Metrics | undefined;
  logger?: MessagingLogger | undefined;
  lagIntervalMs?: number | undefined;
}

/** Re-creating a consumer that kafkajs gave up on (e.g. a long Kafka outage). */
const RESTART_BACKOFF = { baseMs: 1_000, capMs: 30_000 };
/**
 * A crashed member (SIGKILL, OOM) holds its partitions until its session expires, and a rebalance
 * waits for it: kafkajs' defaults (30 s session, 60 s rebalance) stall a group for up to a minute
 * after a crash. A member that is alive heartbeats every 2 s, also while a record waits for its
 * dependency, so 10 s without one means it is gone. (Kafka's group.min.session.timeout.ms: 6 s.)
 */
const GROUP_TIMEOUTS = {
  sessionTimeout: 10_000,
  heartbeatInterval: 2_000,
  rebalanceTimeout: 20_000,
};

/**
 * Subscribes handlers to event topics. Per record: restore the trace context, validate, handle with
 * bounded retries, dead-letter what cannot be handled, and only then commit (see `run` below).
 */
export class EventConsumer {
  private readonly subscriptions = new Set<Subscription>();
  private readonly metrics: MessagingMetrics | undefined;
  private readonly logger: MessagingLogger;
  private lagTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: EventConsumerOptions) {
    this.metrics = messagingMetrics(options.metrics);
    this.logger = options.logger ?? silentLogger;
  }

  consume<T extends EventType>(options: ConsumeOptions<T>): ConsumerHandle {
    const groupId = options.groupId ?? this.options.defaultGroupId;
    if (!groupId) throw new Error('consume: groupId is required (the service name)');
    if (options.topics.length === 0) throw new Error('consume: at least one topic is required');
    const processor = new RecordProcessor({
      group: groupId,
      handle: options.handle as EventHandler<EventType>,
      retry: options.retry,
      metrics: this.metrics,
      logger: this.logger,
      deadLetter: (record, reason) =>
        this.options.publisher.publishRaw(
          dlqTopic(record.topic),
          deadLetterMessage(record, { reason, group: groupId, failedAt: new Date() }),
        ),
    });
    const subscription = new Subscription(
      this.options.kafka,
      { ...options, groupId },
      processor,
      this.logger,
      () => this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    subscription.start();
    this.startLagTimer();
    return subscription;
  }

  /** Stops every subscription; called on shutdown before database pools close. */
  async stop(): Promise<void> {
    clearInterval(this.lagTimer);
    this.lagTimer = undefined;
    await Promise.allSettled([...this.subscriptions].map((s) => s.stop()));
  }

  /** Refreshes the lag gauge now (also runs every `lagIntervalMs`). */
  async refreshLag(): Promise<void> {
    const { admin: getAdmin } = this.options;
    if (!getAdmin || !this.metrics) return;
    const admin = await getAdmin();
    for (const subscription of this.subscriptions) {
      const lags = await groupLag(admin, subscription.groupId, subscription.topics);
      for (const [topic, lag] of lags) {
        this.metrics.consumerLag.set({ topic, group: subscription.groupId }, lag);
      }
    }
  }

  private startLagTimer(): void {
    if (this.lagTimer || !this.options.admin || !this.metrics) return;
    this.lagTimer = setInterval(() => {
      this.refreshLag().catch((error: unknown) =>
        this.logger.warn(`consumer lag not refreshed: ${errorMessage(error)}`),
      );
    }, this.options.lagIntervalMs ?? 10_000);
    this.lagTimer.unref();
  }
}

type SubscriptionOptions = Pick<
  ConsumeOptions<EventType>,
  'topics' | 'fromBeginning' | 'partitionsConsumedConcurrently'
> & { groupId: string };

class Subscription implements ConsumerHandle {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly joined: Promise<void>;
  private markJoined!: () => void;
  private consumer: Consumer | undefined;
  private starting: Promise<void> | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopping = false;
  /** Aborted by stop(): a record waiting for its dependency gives up (uncommitted) at once. */
  private readonly stopped = new AbortController();

  constructor(
    private readonly kafka: EventConsumerOptions['kafka'],
    private readonly options: SubscriptionOptions,
    private readonly processor: RecordProcessor,
    private readonly logger: MessagingLogger,
    private readonly onStopped: () => void,
  ) {
    this.groupId = options.groupId;
    this.topics = [...options.topics];
    this.joined = new Promise((resolve) => (this.markJoined = resolve));
  }

  start(): void {
    if (this.stopping) return;
    this.starting = this.run().catch((error: unknown) => {
      if (this.stopping) return;
      this.restartLater(this.consumer, error);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.stopped.abort();
    clearTimeout(this.restartTimer);
    const consumer = this.consumer;
    this.consumer = undefined;
    // Not awaiting `starting`: a connect that is retrying against an unreachable Kafka would
    // outlast the shutdown budget. kafkajs' disconnect waits for the record being handled,
    // commits it, then leaves the group.
    await consumer?.disconnect().catch(() => undefined);
    await this.starting;
    this.onStopped();
  }

  private async run(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      allowAutoTopicCreation: false,
      ...GROUP_TIMEOUTS,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.failures = 0;
      this.markJoined();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      // With restart: true kafkajs restarts the consumer itself.
      if (!payload.restart) this.restartLater(consumer, payload.error);
    });
    // stop() may have disconnected while connect() was still retrying; don't leave it connected.
    const abandoned = async () => {
      if (this.stopping) await consumer.disconnect().catch(() => undefined);
      return this.stopping;
    };
    await consumer.connect();
    if (await abandoned()) return;
    await consumer.subscribe({
      topics: [...this.topics],
      fromBeginning: this.options.fromBeginning ?? true,
    });
    if (await abandoned()) return;
    await consumer.run({
      // Offsets are committed by kafkajs only for records whose eachMessage resolved, and with a
      // threshold of 1 right after each one. eachMessage resolves once the handler's effect is
      // durable (or the record is safely in the DLQ), so a crash redelivers at most the record in
      // flight, which the idempotent handler (processOnce) absorbs. (A larger threshold, relying
      // on kafkajs' commit at the end of each batch, left a rewound partition uncommitted in the
      // chaos suite's replay: the records were handled but their offsets stayed behind.)
      autoCommit: true,
      autoCommitThreshold: 1,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachMessage: async ({ topic, partition, message, heartbeat }) => {
        const record: InboundRecord = {
          topic,
          partition,
          offset: message.offset,
          key: message.key,
          value: message.value,
          headers: message.headers,
          timestamp: message.timestamp,
        };
        // Rejects only when dead-lettering failed (Kafka down) or the consumer is stopping while
        // the record waits for its dependency: the offset stays uncommitted and the record is
        // redelivered (after kafkajs' own retry/restart, or to the next run of the service).
        await this.processor.process(record, heartbeat, this.stopped.signal);
      },
    });
  }

  private restartLater(consumer: Consumer | undefined, error: unknown): void {
    if (this.stopping || consumer !== this.consumer) return;
    this.failures += 1;
    const delayMs = Math.max(
      250,
      fullJitterBackoff(this.failures - 1, RESTART_BACKOFF.baseMs, RESTART_BACKOFF.capMs),
    );
    this.logger.error(
      `consumer ${this.groupId} (${this.topics.join(', ')}) stopped: ${errorMessage(error)}; restarting in ${delayMs} ms`,
    );
    this.consumer = undefined;
    void consumer?.disconnect().catch(() => undefined);
    this.restartTimer = setTimeout(() => this.start(), delayMs);
  }
}
