import { type EventEnvelope, getEventDefinition, isEventType } from '@ordermesh/contracts';
import type { Metrics } from '@ordermesh/observability';
import type { Message, ProducerRecord } from 'kafkajs';
import { eventMessage } from './headers';
import { type MessagingMetrics, messagingMetrics } from './metrics';

/** The part of a kafkajs Producer the publisher needs (a fake in unit tests). */
export interface MessageSender {
  send(record: ProducerRecord): Promise<unknown>;
}

/** acks = all: with the idempotent producer, an acknowledged event is on every in-sync replica. */
const ACKS_ALL = -1;

/**
 * Writes events to Kafka. Application code never calls it: events are published by the outbox
 * relay (after the business transaction committed) and by the consumers' dead-lettering.
 */
export class EventPublisher {
  private readonly metrics: MessagingMetrics | undefined;

  constructor(
    private readonly sender: MessageSender,
    options: { metrics?: Metrics | undefined } = {},
  ) {
    this.metrics = messagingMetrics(options.metrics);
  }

  /**
   * Sends one event; resolves once the brokers acknowledged it. The topic defaults to the
   * catalogue's topic of its type (the relay passes the one recorded in the outbox row).
   */
  async publish(envelope: EventEnvelope, topic?: string): Promise<void> {
    const destination =
      topic ??
      (isEventType(envelope.type) ? getEventDefinition(envelope.type).topic : envelope.type);
    await this.send(destination, eventMessage(envelope));
  }

  /** Sends a message as is (dead-lettering keeps the original bytes, whether valid or not). */
  async publishRaw(topic: string, message: Message): Promise<void> {
    await this.send(topic, message);
  }

  private async send(topic: string, message: Message): Promise<void> {
    await this.sender.send({ topic, acks: ACKS_ALL, messages: [message] });
    this.metrics?.produced.inc({ topic });
  }
}
