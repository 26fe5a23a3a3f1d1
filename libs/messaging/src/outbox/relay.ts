import { context } from '@opentelemetry/api';
import type { EventEnvelope } from '@ordermesh/contracts';
import { type Metrics, withoutTracing } from '@ordermesh/observability';
import { PollingLoop, type PollRoundResult } from '@ordermesh/resilience';
import type { DataSource, EntitySubscriberInterface, QueryRunner } from 'typeorm';
import { type MessagingLogger, errorMessage, silentLogger } from '../logger';
import { type MessagingMetrics, messagingMetrics } from '../metrics';
import type { EventPublisher } from '../publisher';
import { contextFromTraceContext } from '../tracing';
import { OUTBOX_PENDING } from './outbox';

export interface OutboxRelayOptions {
  /**
   * Poll interval while there is work. Default 150 ms; Outbox.notify and commits of Outbox.add
   * cut it short. Each round that finds nothing doubles the wait, up to `idlePollMaxMs`.
   */
  pollIntervalMs?: number;
  /**
   * The longest wait between rounds of an idle relay. Default 1 s. Events committed in this
   * process wake it at once; the poll is for those of other replicas and of rounds that failed.
   */
  idlePollMaxMs?: number;
  /** Rows per claim. Default 100. */
  batchSize?: number;
  /** Backoff cap while Kafka or the database fails. Default 5 s. */
  maxBackoffMs?: number;
  /** How often the backlog gauges are refreshed. Default 5 s. */
  metricsIntervalMs?: number;
  metrics?: Metrics | undefined;
  logger?: MessagingLogger | undefined;
}

export interface RelayResult {
  /** Rows published and marked in this round. */
  published: number;
  /** More rows may be waiting (a full batch), so poll again at once. */
  more: boolean;
  /** Another relay held the lock: it is publishing, so this one is not idle. */
  contended?: boolean;
  /** The publish error that ended the round early, if any. */
  error?: unknown;
}

/**
 * Publishes in order until the first failure. Stopping there (instead of skipping the failed row)
 * keeps per-key order: a later event of an aggregate never overtakes an earlier one.
 */
export async function publishInOrder<R>(
  rows: readonly R[],
  publish: (row: R) => Promise<void>,
): Promise<{ published: R[]; error?: unknown }> {
  const published: R[] = [];
  for (const row of rows) {
    try {
      await publish(row);
    } catch (error) {
      return { published, error };
    }
    published.push(row);
  }
  return { published };
}

/**
 * Only one relay of a service publishes at a time: with SKIP LOCKED alone, two replicas would claim
 * consecutive batches and could publish an aggregate's later event before its earlier one. The
 * lock is per database, and each service has its own database. Lock and claim are one statement
 * (one round trip): the lock is taken once (a CTE with a volatile function is evaluated once), and
 * only its holder's claim returns rows; a relay without the lock gets one row, `locked` false.
 */
const CLAIM_SQL = `WITH relay AS (
    SELECT pg_try_advisory_xact_lock(hashtext('ordermesh.outbox_relay')) AS locked
  )
  SELECT relay.locked, e.id, e.topic, e.envelope
  FROM relay LEFT JOIN LATERAL (
    SELECT id, topic, envelope, seq FROM outbox_events
    WHERE relay.locked AND published_at IS NULL
    ORDER BY seq
    LIMIT $1
    FOR UPDATE SKIP LOCKED
  ) e ON true
  ORDER BY e.seq`;

interface ClaimedRow {
  id: string;
  topic: string;
  envelope: EventEnvelope;
}

/**
 * Moves committed outbox rows to Kafka. Delivery is at least once: a crash between the broker's
 * acknowledgement and the published_at update publishes the event again, and consumers
 * deduplicate on the event id. While Kafka is down rows simply stay unpublished.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly metrics: MessagingMetrics | undefined;
  private readonly logger: MessagingLogger;
  private readonly loop: PollingLoop;
  private running = false;
  private gauges: NodeJS.Timeout | undefined;
  private readonly commitListener: EntitySubscriberInterface;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: Pick<EventPublisher, 'publish'>,
    private readonly options: OutboxRelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 100;
    this.metrics = messagingMetrics(options.metrics);
    this.logger = options.logger ?? silentLogger;
    // An idle service's relay costs a transaction a second instead of seven (docs/performance.md).
    this.loop = new PollingLoop(() => this.round(), {
      intervalMs: options.pollIntervalMs ?? 150,
      idleMaxMs: options.idlePollMaxMs ?? 1_000,
      maxBackoffMs: options.maxBackoffMs ?? 5_000,
      onFailure: (error, failures, retryInMs) =>
        this.logger.warn(
          `outbox relay: ${errorMessage(error)}; retry ${failures} in ${retryInMs} ms`,
        ),
      onRecovered: () => this.logger.log('outbox relay recovered'),
    });
    const onTransactionEnd = (committed: boolean) => (event: { queryRunner: QueryRunner }) => {
      const runner = event.queryRunner;
      // Savepoints broadcast too; only the outermost commit makes the rows visible.
      if (runner.isTransactionActive || !runner.data[OUTBOX_PENDING]) return;
      delete runner.data[OUTBOX_PENDING];
      if (committed) this.notify();
    };
    this.commitListener = {
      afterTransactionCommit: onTransactionEnd(true),
      afterTransactionRollback: onTransactionEnd(false),
    };
  }

  /** Starts polling and the backlog gauges. The DataSource must be initialised. */
  start(): void {
    if (this.running) return;
    this.running = true;
    // Subscribers are read on every commit, so one added after initialisation is honoured.
    this.dataSource.subscribers.push(this.commitListener);
    this.gauges = setInterval(() => {
      this.refreshMetrics().catch((error: unknown) =>
        this.logger.warn(`outbox metrics failed: ${errorMessage(error)}`),
      );
    }, this.options.metricsIntervalMs ?? 5_000);
    this.gauges.unref();
    this.loop.start();
  }

  /** Stops polling and waits for the round in flight (its rows are published and marked, or not). */
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.gauges);
    const index = this.dataSource.subscribers.indexOf(this.commitListener);
    if (index >= 0) this.dataSource.subscribers.splice(index, 1);
    await this.loop.stop();
  }

  /**
   * Polls now rather than at the next interval, e.g. right after a commit that added events.
   * While backing off from a failure it does nothing: hammering a broken Kafka helps nobody.
   */
  notify(): void {
    this.loop.nudge();
  }

  /** One claim-publish-mark round; public for tests and tools. */
  relayOnce(): Promise<RelayResult> {
    return withoutTracing(() =>
      this.dataSource.transaction(async (manager): Promise<RelayResult> => {
        const claimed = await manager.query<(ClaimedRow & { locked: boolean })[]>(CLAIM_SQL, [
          this.batchSize,
        ]);
        if (!claimed[0]?.locked) return { published: 0, more: false, contended: true };
        const rows = claimed.filter((row) => row.id !== null);
        const { published, error } = await publishInOrder(rows, (row) =>
          // A fresh context per event: the kafkajs producer span joins the trace of the request
          // that produced the event, not the relay's (suppressed) context.
          context.with(contextFromTraceContext(row.envelope), () =>
            this.publisher.publish(row.envelope, row.topic),
          ),
        );
        if (published.length > 0) {
          await manager.query(
            'UPDATE outbox_events SET published_at = now() WHERE id = ANY($1::uuid[])',
            [published.map((row) => row.id)],
          );
        }
        return error === undefined
          ? { published: published.length, more: rows.length === this.batchSize }
          : { published: published.length, more: false, error };
      }),
    );
  }

  /** Refreshes ordermesh_outbox_backlog_events and ordermesh_outbox_oldest_event_age_seconds. */
  async refreshMetrics(): Promise<{ backlog: number; oldestAgeSeconds: number }> {
    const [row] = await withoutTracing(() =>
      this.dataSource.query<{ backlog: string; age: number | null }[]>(
        `SELECT count(*) AS backlog, extract(epoch FROM now() - min(created_at))::float8 AS age
         FROM outbox_events WHERE published_at IS NULL`,
      ),
    );
    const backlog = Number(row?.backlog ?? 0);
    const oldestAgeSeconds = Math.max(0, row?.age ?? 0);
    this.metrics?.outboxBacklog.set(backlog);
    this.metrics?.outboxOldestAge.set(oldestAgeSeconds);
    return { backlog, oldestAgeSeconds };
  }

  /**
   * One round of the loop: a publish failure (after marking what was published) fails the round,
   * so the loop backs off; a round that found the lock held is not idle (another relay publishes).
   */
  private async round(): Promise<PollRoundResult> {
    const result = await this.relayOnce();
    if (result.error !== undefined) {
      throw new Error(`publishing to Kafka failed: ${errorMessage(result.error)}`, {
        cause: result.error,
      });
    }
    return { more: result.more, idle: result.published === 0 && !result.contended };
  }
}
