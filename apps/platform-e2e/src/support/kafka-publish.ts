import { type EventEnvelope, getEventDefinition, serializeEvent } from '@ordermesh/contracts';
import { waitFor } from '@ordermesh/testing';
import { type Admin, Kafka, Partitioners, type Producer, logLevel } from 'kafkajs';
import { connection } from './connection-env';

export interface Published {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * Publishes events the way a service's outbox relay does (key = envelope key, value = JSON
 * envelope, event-id/event-type headers), and waits until a consumer group has committed past a
 * published record — i.e. the service has handled it, duplicates included.
 */
export class EventPublisherForTests {
  private readonly kafka = new Kafka({
    clientId: 'e2e-publisher',
    brokers: connection.kafka.brokers,
    logLevel: logLevel.NOTHING,
  });
  private readonly producer: Producer = this.kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  private readonly admin: Admin = this.kafka.admin();

  async start(): Promise<this> {
    await Promise.all([this.producer.connect(), this.admin.connect()]);
    return this;
  }

  async publish(envelope: EventEnvelope): Promise<Published> {
    const topic = getEventDefinition(envelope.type).topic;
    const [meta] = await this.producer.send({
      topic,
      acks: -1,
      messages: [
        {
          key: envelope.key,
          value: serializeEvent(envelope),
          headers: { 'event-id': envelope.id, 'event-type': envelope.type },
        },
      ],
    });
    if (!meta || meta.baseOffset === undefined) throw new Error(`no offset for ${topic}`);
    return { topic, partition: meta.partition, offset: meta.baseOffset };
  }

  /** Resolves once `groupId` committed an offset beyond `record` (it was handled). */
  async handledBy(groupId: string, record: Published, timeoutMs = 30_000): Promise<void> {
    await waitFor(
      async () => {
        const [topic] = await this.admin.fetchOffsets({ groupId, topics: [record.topic] });
        const committed = topic?.partitions.find((p) => p.partition === record.partition);
        return committed && BigInt(committed.offset) > BigInt(record.offset) ? true : undefined;
      },
      {
        timeoutMs,
        what: `${groupId} to handle ${record.topic}[${record.partition}]@${record.offset}`,
      },
    );
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
  }
}
