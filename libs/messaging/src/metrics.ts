import { LATENCY_BUCKETS, type Metrics } from '@ordermesh/observability';

/**
 * The messaging metrics, registered on the service's registry. Labels are topics and consumer
 * groups only (both bounded by the event catalogue), never keys, ids or partitions.
 */
export class MessagingMetrics {
  readonly produced;
  readonly consumed;
  readonly processingDuration;
  readonly deadLettered;
  readonly consumerLag;
  readonly outboxBacklog;
  readonly outboxOldestAge;

  constructor(metrics: Metrics) {
    this.produced = metrics.counter(
      'ordermesh_kafka_messages_produced_total',
      'Kafka messages acknowledged by the brokers',
      ['topic'],
    );
    this.consumed = metrics.counter(
      'ordermesh_kafka_messages_consumed_total',
      'Kafka records handled, by outcome (processed, duplicate, dead_lettered; retried counts retries)',
      ['topic', 'group', 'outcome'],
    );
    this.processingDuration = metrics.histogram(
      'ordermesh_kafka_processing_duration_seconds',
      'Time from receiving a record to its outcome, retries included',
      ['topic', 'group'],
      LATENCY_BUCKETS,
    );
    this.deadLettered = metrics.counter(
      'ordermesh_kafka_dlq_messages_total',
      'Records sent to <topic>.dlq, by original topic',
      ['topic'],
    );
    this.consumerLag = metrics.gauge(
      'ordermesh_kafka_consumer_lag_messages',
      'Records not yet committed by the consumer group, summed over partitions',
      ['topic', 'group'],
    );
    this.outboxBacklog = metrics.gauge(
      'ordermesh_outbox_backlog_events',
      'Outbox events not yet published to Kafka',
      [],
    );
    this.outboxOldestAge = metrics.gauge(
      'ordermesh_outbox_oldest_event_age_seconds',
      'Age of the oldest unpublished outbox event (0 when none)',
      [],
    );
  }
}

/** Memoised per registry, so every component of a process shares one set of metric objects. */
const cache = new WeakMap<Metrics, MessagingMetrics>();

export function messagingMetrics(metrics: Metrics | undefined): MessagingMetrics | undefined {
  if (!metrics) return undefined;
  let found = cache.get(metrics);
  if (!found) {
    found = new MessagingMetrics(metrics);
    cache.set(metrics, found);
  }
  return found;
}
