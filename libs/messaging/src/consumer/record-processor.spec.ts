import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { USER_REGISTERED_V1, createEvent, serializeEvent } from '@ordermesh/contracts';
import { Metrics } from '@ordermesh/observability';
import { messagingMetrics } from '../metrics';
import { RecordProcessor, type RecordProcessorOptions } from './record-processor';
import {
  ConsumerStoppingError,
  type EventHandler,
  type InboundRecord,
  NonRetryableError,
} from './types';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const TRACEPARENT = `00-${TRACE_ID}-b7ad6b7169203331-01`;

beforeAll(() => {
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => {
  propagation.disable();
  context.disable();
});

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

function record(value: string | null, overrides: Partial<InboundRecord> = {}): InboundRecord {
  return {
    topic: USER_REGISTERED_V1,
    partition: 1,
    offset: '7',
    key: Buffer.from(event.key),
    value: value === null ? null : Buffer.from(value),
    headers: { traceparent: Buffer.from(TRACEPARENT), 'event-id': Buffer.from(event.id) },
    ...overrides,
  };
}

function setup(handle: EventHandler, options: Partial<RecordProcessorOptions> = {}) {
  const metrics = new Metrics('notification');
  const deadLettered: { record: InboundRecord; reason: string }[] = [];
  const sleeps: number[] = [];
  const processor = new RecordProcessor({
    group: 'notification',
    handle,
    deadLetter: async (r, reason) => {
      deadLettered.push({ record: r, reason });
    },
    metrics: messagingMetrics(metrics),
    sleep: async (ms, signal) => {
      sleeps.push(ms);
      if (signal?.aborted) throw new Error('aborted');
    },
    random: () => 0.5,
    ...options,
  });
  const text = () => metrics.registry.metrics();
  return { processor, deadLettered, sleeps, text };
}

const consumed = (outcome: string, value: number) =>
  `ordermesh_kafka_messages_consumed_total{topic="user.registered.v1",group="notification",outcome="${outcome}"} ${value}`;

describe('RecordProcessor', () => {
  it('hands a valid event to the handler inside the producer trace and reports processed', async () => {
    const seen: { id: string; traceId?: string; attempt: number }[] = [];
    const { processor, deadLettered, text } = setup(async (e, meta) => {
      seen.push({
        id: e.id,
        traceId: trace.getSpanContext(context.active())?.traceId,
        attempt: meta.attempt,
      });
    });
    await expect(processor.process(record(serializeEvent(event)))).resolves.toBe('processed');
    expect(seen).toEqual([{ id: event.id, traceId: TRACE_ID, attempt: 1 }]);
    expect(deadLettered).toEqual([]);
    const metrics = await text();
    expect(metrics).toContain(consumed('processed', 1));
    expect(metrics).toMatch(
      /ordermesh_kafka_processing_duration_seconds_count\{topic="user.registered.v1",group="notification"\} 1/,
    );
  });

  it('reports a duplicate when the handler says so (processOnce)', async () => {
    const { processor, text } = setup(async () => 'duplicate');
    await expect(processor.process(record(serializeEvent(event)))).resolves.toBe('duplicate');
    expect(await text()).toContain(consumed('duplicate', 1));
  });

  it.each([
    ['bad JSON', '{nope', /not valid JSON/],
    ['an invalid envelope', JSON.stringify({ ...event, id: 'not-a-uuid' }), /id/],
    [
      'invalid data',
      JSON.stringify({ ...event, data: { ...event.data, email: 'x' } }),
      /data\.email/,
    ],
    [
      'another type on this topic',
      JSON.stringify({ ...event, type: 'order.placed.v1' }),
      /expected type/,
    ],
    ['an empty value', null, /invalid event/],
  ])('dead-letters %s without calling the handler or retrying', async (_what, value, reason) => {
    const handle = jest.fn(async () => undefined);
    const { processor, deadLettered, sleeps, text } = setup(handle);
    await expect(processor.process(record(value))).resolves.toBe('dead_lettered');
    expect(handle).not.toHaveBeenCalled();
    expect(sleeps).toEqual([]);
    expect(deadLettered).toHaveLength(1);
    expect(deadLettered[0]?.reason).toMatch(/^invalid event: /);
    expect(deadLettered[0]?.reason).toMatch(reason);
    const metrics = await text();
    expect(metrics).toContain(consumed('dead_lettered', 1));
    expect(metrics).toContain('ordermesh_kafka_dlq_messages_total{topic="user.registered.v1"} 1');
  });

  it.each([['order'], ['notification'], ['gateway'], ['User'], ['x'.repeat(10_000)]])(
    'dead-letters an event whose source is not its catalogue producer (source %j)',
    async (source) => {
      const handle = jest.fn(async () => undefined);
      const { processor, deadLettered, text } = setup(handle);
      const forged = JSON.stringify({ ...event, source });
      await expect(processor.process(record(forged))).resolves.toBe('dead_lettered');
      expect(handle).not.toHaveBeenCalled();
      expect(deadLettered[0]?.reason).toMatch(
        /^forged event: user.registered.v1 comes from user only/,
      );
      // What the forger wrote is quoted, bounded: the DLQ reason and the log stay short.
      expect(deadLettered[0]?.reason.length).toBeLessThan(200);
      expect(await text()).toContain(
        'ordermesh_kafka_dlq_messages_total{topic="user.registered.v1"} 1',
      );
    },
  );

  it('retries a failing handler with jittered backoff, then dead-letters it', async () => {
    const handle = jest.fn(async () => {
      throw new Error('db unavailable');
    });
    const { processor, deadLettered, sleeps, text } = setup(handle);
    await expect(processor.process(record(serializeEvent(event)))).resolves.toBe('dead_lettered');
    expect(handle).toHaveBeenCalledTimes(3);
    // random() = 0.5 of 100 ms, then of 200 ms.
    expect(sleeps).toEqual([50, 100]);
    expect(deadLettered[0]?.reason).toBe('handler failed after 3 attempts: db unavailable');
    const metrics = await text();
    expect(metrics).toContain(consumed('retried', 2));
    expect(metrics).toContain(consumed('dead_lettered', 1));
  });

  it('processes an event whose handler succeeds on a retry', async () => {
    const attempts: number[] = [];
    const heartbeat = jest.fn(async () => undefined);
    const { processor, deadLettered, text } = setup(async (_e, meta) => {
      attempts.push(meta.attempt);
      if (meta.attempt === 1) throw new Error('deadlock detected');
    });
    await expect(processor.process(record(serializeEvent(event)), heartbeat)).resolves.toBe(
      'processed',
    );
    expect(attempts).toEqual([1, 2]);
    expect(heartbeat).toHaveBeenCalledTimes(1);
    expect(deadLettered).toEqual([]);
    const metrics = await text();
    expect(metrics).toContain(consumed('retried', 1));
    expect(metrics).toContain(consumed('processed', 1));
  });

  it('honours the retry policy and dead-letters a NonRetryableError at once', async () => {
    const failing = jest.fn(async () => {
      throw new Error('nope');
    });
    const custom = setup(failing, { retry: { attempts: 5, baseMs: 10, capMs: 15 } });
    await custom.processor.process(record(serializeEvent(event)));
    expect(failing).toHaveBeenCalledTimes(5);
    expect(custom.sleeps).toEqual([5, 7, 7, 7]);

    const permanent = jest.fn(async () => {
      throw new NonRetryableError('unknown order');
    });
    const once = setup(permanent);
    await expect(once.processor.process(record(serializeEvent(event)))).resolves.toBe(
      'dead_lettered',
    );
    expect(permanent).toHaveBeenCalledTimes(1);
    expect(once.deadLettered[0]?.reason).toBe('non-retryable: unknown order');
  });

  it('rejects (so the offset is not committed) when the DLQ cannot be written', async () => {
    const { processor, text } = setup(async () => undefined, {
      deadLetter: async () => {
        throw new Error('Kafka down');
      },
    });
    await expect(processor.process(record('{nope'))).rejects.toThrow('Kafka down');
    expect(await text()).not.toContain('outcome="dead_lettered"');
  });

  describe('while a dependency is unreachable', () => {
    const refused = () =>
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:64320'), { code: 'ECONNREFUSED' });

    it('never dead-letters: retries with bounded backoff until the dependency is back', async () => {
      const heartbeat = jest.fn(async () => undefined);
      const attempts: number[] = [];
      // A 30 s database outage seen by the handler: 40 refused connections, then success.
      const { processor, deadLettered, sleeps, text } = setup(
        async (_e, meta) => {
          attempts.push(meta.attempt);
          if (meta.attempt <= 40) throw refused();
        },
        { random: () => 0.999 },
      );
      await expect(processor.process(record(serializeEvent(event)), heartbeat)).resolves.toBe(
        'processed',
      );
      expect(attempts).toHaveLength(41);
      expect(deadLettered).toEqual([]);
      expect(heartbeat).toHaveBeenCalledTimes(40);
      // Full jitter from 250 ms, capped at 5 s, never shorter than the base.
      expect(sleeps.slice(0, 3)).toEqual([250, 499, 999]);
      expect(Math.max(...sleeps)).toBe(4_995);
      expect(sleeps.every((ms) => ms >= 250 && ms <= 5_000)).toBe(true);
      const metrics = await text();
      expect(metrics).toContain(consumed('retried', 40));
      expect(metrics).toContain(consumed('processed', 1));
      expect(metrics).not.toContain('outcome="dead_lettered"');
    });

    it.each([
      ['a terminated connection', new Error('Connection terminated unexpectedly')],
      ['a pool timeout', new Error('timeout exceeded when trying to connect')],
      [
        'a database closed to connections (TypeORM-wrapped)',
        Object.assign(new Error('query failed'), {
          driverError: Object.assign(
            new Error('database "payment_svc" is not currently accepting connections'),
            { code: '55000' },
          ),
        }),
      ],
      ['an administrator shutdown', Object.assign(new Error('terminating'), { code: '57P01' })],
      ['Redis gone', new Error('Connection is closed.')],
      ['a downstream UNAVAILABLE', Object.assign(new Error('x'), { code: 14, details: 'down' })],
    ])('treats %s as an outage, not as a bad record', async (_what, failure) => {
      let calls = 0;
      const { processor, deadLettered } = setup(async () => {
        calls += 1;
        if (calls <= 5) throw failure;
      });
      await expect(processor.process(record(serializeEvent(event)))).resolves.toBe('processed');
      expect(calls).toBe(6);
      expect(deadLettered).toEqual([]);
    });

    it('counts only the record’s own failures towards the DLQ', async () => {
      let calls = 0;
      const { processor, deadLettered } = setup(async () => {
        calls += 1;
        throw calls % 2 === 1 ? refused() : new Error('constraint violated');
      });
      await expect(processor.process(record(serializeEvent(event)))).resolves.toBe('dead_lettered');
      // refused, own, refused, own, refused, own: three failures of its own.
      expect(calls).toBe(6);
      expect(deadLettered[0]?.reason).toBe('handler failed after 3 attempts: constraint violated');
    });

    it('gives up without committing when the consumer stops during the outage', async () => {
      const stopping = new AbortController();
      let calls = 0;
      const { processor, deadLettered, text } = setup(async () => {
        calls += 1;
        if (calls === 3) stopping.abort();
        throw refused();
      });
      await expect(
        processor.process(record(serializeEvent(event)), undefined, stopping.signal),
      ).rejects.toBeInstanceOf(ConsumerStoppingError);
      expect(calls).toBe(3);
      expect(deadLettered).toEqual([]);
      expect(await text()).not.toContain('outcome="processed"');
    });
  });
});
