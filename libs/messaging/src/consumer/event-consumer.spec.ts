import { EventEmitter } from 'node:events';
import { USER_REGISTERED_V1, createEvent, serializeEvent } from '@ordermesh/contracts';
import { Metrics } from '@ordermesh/observability';
import type {
  Consumer,
  ConsumerConfig,
  ConsumerRunConfig,
  EachMessagePayload,
  Message,
} from 'kafkajs';
import { EventConsumer } from './event-consumer';
import { ConsumerStoppingError } from './types';

/** Just enough of a kafkajs Consumer to drive EventConsumer without a broker. */
class FakeConsumer extends EventEmitter {
  readonly events = { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' };
  runConfig: ConsumerRunConfig | undefined;
  subscribed: unknown;
  connect = jest.fn(async () => undefined);
  disconnect = jest.fn(async () => undefined);
  subscribe = jest.fn(async (s: unknown) => {
    this.subscribed = s;
  });
  run = jest.fn(async (config: ConsumerRunConfig) => {
    this.runConfig = config;
    this.emit(this.events.GROUP_JOIN, { payload: {} });
  });

  deliver(topic: string, offset: string, value: string): Promise<void> {
    const payload = {
      topic,
      partition: 0,
      message: {
        key: Buffer.from('k'),
        value: Buffer.from(value),
        offset,
        headers: {},
        timestamp: '0',
        attributes: 0,
      },
      heartbeat: async () => undefined,
      pause: () => () => undefined,
    } as unknown as EachMessagePayload;
    const eachMessage = this.runConfig?.eachMessage;
    if (!eachMessage) throw new Error('run() was not called');
    return eachMessage(payload);
  }
}

const event = createEvent(
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

function setup() {
  const consumers: FakeConsumer[] = [];
  const configs: ConsumerConfig[] = [];
  const kafka = {
    consumer: (config: ConsumerConfig) => {
      configs.push(config);
      const c = new FakeConsumer();
      consumers.push(c);
      return c as unknown as Consumer;
    },
  };
  const dlq: { topic: string; message: Message }[] = [];
  const publisher = {
    publishRaw: jest.fn(async (topic: string, message: Message) => {
      dlq.push({ topic, message });
    }),
  };
  const metrics = new Metrics('notification');
  const consumer = new EventConsumer({
    kafka,
    publisher,
    defaultGroupId: 'notification',
    metrics,
  });
  return { consumer, consumers, configs, dlq, metrics };
}

describe('EventConsumer', () => {
  it('subscribes the service group from the beginning and commits after each handled record', async () => {
    const { consumer, consumers, configs } = setup();
    const handle = consumer.consume({
      topics: [USER_REGISTERED_V1],
      handle: async () => undefined,
    });
    await handle.joined;
    expect(configs[0]).toMatchObject({ groupId: 'notification', allowAutoTopicCreation: false });
    expect(consumers[0]?.subscribed).toEqual({
      topics: ['user.registered.v1'],
      fromBeginning: true,
    });
    expect(consumers[0]?.runConfig).toMatchObject({ autoCommit: true, autoCommitThreshold: 1 });
    await consumer.stop();
    expect(consumers[0]?.disconnect).toHaveBeenCalled();
  });

  it('hands valid records to the handler and dead-letters a poison one, moving on', async () => {
    const { consumer, consumers, dlq } = setup();
    const seen: string[] = [];
    await consumer.consume({
      groupId: 'notification',
      topics: [USER_REGISTERED_V1],
      handle: async (e) => {
        seen.push(e.id);
      },
    }).joined;
    const [fake] = consumers;
    if (!fake) throw new Error('no consumer created');
    await fake.deliver(USER_REGISTERED_V1, '0', '{poison');
    await fake.deliver(USER_REGISTERED_V1, '1', serializeEvent(event));
    expect(seen).toEqual([event.id]);
    expect(dlq).toHaveLength(1);
    expect(dlq[0]?.topic).toBe('user.registered.v1.dlq');
    expect(dlq[0]?.message.headers).toMatchObject({
      'dlq-original-topic': 'user.registered.v1',
      'dlq-original-offset': '0',
      'dlq-consumer-group': 'notification',
    });
    await consumer.stop();
  });

  it('leaves a record waiting for its database uncommitted when the service stops', async () => {
    const { consumer, consumers, dlq } = setup();
    let calls = 0;
    await consumer.consume({
      topics: [USER_REGISTERED_V1],
      handle: async () => {
        calls += 1;
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:64320'), {
          code: 'ECONNREFUSED',
        });
      },
    }).joined;
    const [fake] = consumers;
    if (!fake) throw new Error('no consumer created');
    const delivery = fake.deliver(USER_REGISTERED_V1, '3', serializeEvent(event));
    const outcome = delivery.then(
      () => 'committed',
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toBe(1);
    await consumer.stop();
    // eachMessage rejected: kafkajs does not commit the offset; the record comes back later.
    expect(await outcome).toBeInstanceOf(ConsumerStoppingError);
    expect(dlq).toEqual([]);
    expect(consumers[0]?.disconnect).toHaveBeenCalled();
  });

  it('re-creates a consumer that kafkajs gave up on', async () => {
    jest.useFakeTimers();
    try {
      const { consumer, consumers } = setup();
      consumer.consume({ topics: [USER_REGISTERED_V1], handle: async () => undefined });
      await jest.advanceTimersByTimeAsync(0);
      consumers[0]?.emit('consumer.crash', {
        payload: { error: new Error('gone'), restart: false },
      });
      await jest.advanceTimersByTimeAsync(1_000);
      expect(consumers).toHaveLength(2);
      expect(consumers[0]?.disconnect).toHaveBeenCalled();
      expect(consumers[1]?.run).toHaveBeenCalled();
      // kafkajs restarts by itself when it says so.
      consumers[1]?.emit('consumer.crash', {
        payload: { error: new Error('blip'), restart: true },
      });
      await jest.advanceTimersByTimeAsync(60_000);
      expect(consumers).toHaveLength(2);
      await consumer.stop();
    } finally {
      jest.useRealTimers();
    }
  });

  it('requires a group and topics', () => {
    const { consumers } = setup();
    const bare = new EventConsumer({
      kafka: { consumer: () => consumers[0] as unknown as Consumer },
      publisher: { publishRaw: async () => undefined },
    });
    expect(() =>
      bare.consume({ topics: [USER_REGISTERED_V1], handle: async () => undefined }),
    ).toThrow(/groupId/);
    expect(() => bare.consume({ groupId: 'g', topics: [], handle: async () => undefined })).toThrow(
      /topic/,
    );
  });
});
