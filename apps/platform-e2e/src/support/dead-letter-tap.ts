import { randomUUID } from 'node:crypto';
import { type EventType, dlqTopic } from '@ordermesh/contracts';
import { headerValue } from '@ordermesh/messaging';
import { waitFor } from '@ordermesh/testing';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { connection } from './connection-env';

export interface DeadLetter {
  /** The envelope id the record carried (`event-id` header). */
  eventId: string | undefined;
  headers: Record<string, string | undefined>;
}

/**
 * Reads the dead-letter topic of an event type from the beginning, in a group of its own, so a
 * spec can check which consumer group gave a record up and why (the `dlq-*` headers).
 */
export class DeadLetterTap {
  readonly records: DeadLetter[] = [];
  private readonly kafka = new Kafka({
    clientId: 'e2e-dead-letter-tap',
    brokers: connection.kafka.brokers,
    logLevel: logLevel.NOTHING,
  });
  private readonly groupId = `e2e-dlq-tap-${randomUUID()}`;
  private consumer: Consumer | undefined;

  constructor(readonly type: EventType) {}

  async start(): Promise<this> {
    this.consumer = this.kafka.consumer({ groupId: this.groupId, sessionTimeout: 10_000 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: dlqTopic(this.type), fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string | undefined> = {};
        for (const name of Object.keys(message.headers ?? {})) {
          headers[name] = headerValue(message.headers, name);
        }
        this.records.push({ eventId: headers['event-id'], headers });
      },
    });
    return this;
  }

  /** The dead letter of event `eventId` written by consumer group `group`. */
  async waitFor(eventId: string, group: string, timeoutMs = 20_000): Promise<DeadLetter> {
    return waitFor(
      async () =>
        this.records.find(
          (r) => r.eventId === eventId && r.headers['dlq-consumer-group'] === group,
        ),
      { timeoutMs, what: `${group}'s dead letter of ${eventId} on ${dlqTopic(this.type)}` },
    );
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    const admin = this.kafka.admin();
    await admin.connect();
    await admin.deleteGroups([this.groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}
