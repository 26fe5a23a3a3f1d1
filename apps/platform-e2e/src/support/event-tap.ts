import { randomUUID } from 'node:crypto';
import { type EventEnvelope, type EventType, parseEvent } from '@ordermesh/contracts';
import { waitFor } from '@ordermesh/testing';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { connection } from './connection-env';

/**
 * Reads one event topic from the beginning in a consumer group of its own, so a spec can check
 * what a service published without disturbing the services' groups.
 */
export class EventTap<T extends EventType> {
  readonly events: EventEnvelope<T>[] = [];
  private readonly kafka = new Kafka({
    clientId: 'e2e-event-tap',
    brokers: connection.kafka.brokers,
    logLevel: logLevel.NOTHING,
  });
  private readonly groupId = `e2e-tap-${randomUUID()}`;
  private consumer: Consumer | undefined;

  constructor(readonly type: T) {}

  async start(): Promise<this> {
    this.consumer = this.kafka.consumer({ groupId: this.groupId, sessionTimeout: 10_000 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.type, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        try {
          this.events.push(parseEvent(this.type, message.value));
        } catch {
          // not this spec's business: the producing service's own tests cover validity
        }
      },
    });
    return this;
  }

  /** Events matching `filter` once there are at least `count` of them. */
  async waitFor(
    filter: (event: EventEnvelope<T>) => boolean,
    count = 1,
    timeoutMs = 20_000,
  ): Promise<EventEnvelope<T>[]> {
    return waitFor(
      async () => {
        const matching = this.events.filter(filter);
        return matching.length >= count ? matching : undefined;
      },
      { timeoutMs, what: `${count} ${this.type} event(s)` },
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
