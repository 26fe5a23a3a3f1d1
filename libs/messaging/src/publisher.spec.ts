import { USER_REGISTERED_V1, createEvent } from '@ordermesh/contracts';
import { Metrics } from '@ordermesh/observability';
import type { ProducerRecord } from 'kafkajs';
import { EventPublisher } from './publisher';

describe('EventPublisher', () => {
  const envelope = createEvent(
    USER_REGISTERED_V1,
    {
      userId: '0b7e3b0a-4a4c-4a55-8c0c-4b8f5f0e9b02',
      email: 'ada@example.com',
      name: 'Ada',
      role: 'CUSTOMER',
      registeredAt: '2026-11-25T12:00:00.000Z',
    },
    { source: 'user' },
  );

  it('sends an event to its topic with acks=all and counts it once acknowledged', async () => {
    const sent: ProducerRecord[] = [];
    const metrics = new Metrics('user');
    const publisher = new EventPublisher({ send: async (r) => sent.push(r) }, { metrics });
    await publisher.publish(envelope);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ topic: 'user.registered.v1', acks: -1 });
    expect(sent[0]?.messages[0]?.key).toBe(envelope.key);
    expect(await metrics.registry.metrics()).toContain(
      'ordermesh_kafka_messages_produced_total{topic="user.registered.v1"} 1',
    );
  });

  it('does not count a send the brokers rejected', async () => {
    const metrics = new Metrics('user');
    const publisher = new EventPublisher(
      {
        send: async () => {
          throw new Error('broker down');
        },
      },
      { metrics },
    );
    await expect(publisher.publish(envelope)).rejects.toThrow('broker down');
    expect(await metrics.registry.metrics()).not.toContain(
      'ordermesh_kafka_messages_produced_total{',
    );
  });
});
