import { ROOT_CONTEXT, context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { type EventEnvelope, USER_REGISTERED_V1, createEvent } from '@ordermesh/contracts';
import { Metrics } from '@ordermesh/observability';
import type { DataSource } from 'typeorm';
import { OUTBOX_PENDING } from './outbox';
import { OutboxRelay, publishInOrder } from './relay';

const TRACE_A = 'a'.repeat(32);
const TRACE_B = 'b'.repeat(32);

beforeAll(() => {
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => {
  propagation.disable();
  context.disable();
});

function envelope(traceId?: string): EventEnvelope {
  return createEvent(
    USER_REGISTERED_V1,
    {
      userId: '0b7e3b0a-4a4c-4a55-8c0c-4b8f5f0e9b02',
      email: 'ada@example.com',
      name: 'Ada',
      role: 'CUSTOMER',
      registeredAt: '2026-11-25T12:00:00.000Z',
    },
    {
      source: 'user',
      traceContext: traceId ? { traceparent: `00-${traceId}-${'1'.repeat(16)}-01` } : undefined,
    },
  );
}

/** The SQL surface of OutboxRelay over an in-memory table. */
function fakeDataSource(rows: EventEnvelope[], options: { locked?: boolean } = {}) {
  const published = new Set<string>();
  const updates: string[][] = [];
  const rounds = { count: 0 };
  const query = async (sql: string, params: unknown[] = []): Promise<unknown> => {
    if (sql.includes('pg_try_advisory_xact_lock')) {
      // One row per claimed event, or one row of nulls; `locked` on every row.
      rounds.count += 1;
      const locked = options.locked ?? true;
      const claimed = locked
        ? rows
            .filter((r) => !published.has(r.id))
            .slice(0, params[0] as number)
            .map((r) => ({ locked, id: r.id, topic: r.type, envelope: r }))
        : [];
      return claimed.length ? claimed : [{ locked, id: null, topic: null, envelope: null }];
    }
    if (sql.startsWith('UPDATE outbox_events')) {
      const ids = params[0] as string[];
      updates.push(ids);
      ids.forEach((id) => published.add(id));
      return [[], ids.length];
    }
    if (sql.includes('count(*)'))
      return [{ backlog: String(rows.length - published.size), age: 12.5 }];
    throw new Error(`unexpected SQL ${sql}`);
  };
  const dataSource = {
    subscribers: [] as unknown[],
    query,
    transaction: async <T>(work: (manager: { query: typeof query }) => Promise<T>) =>
      work({ query }),
  };
  return {
    dataSource: dataSource as unknown as DataSource,
    raw: dataSource,
    published,
    updates,
    rounds,
  };
}

describe('publishInOrder', () => {
  it('stops at the first failure so no later event overtakes it', async () => {
    const calls: number[] = [];
    const result = await publishInOrder([1, 2, 3, 4], async (n) => {
      calls.push(n);
      if (n === 3) throw new Error('broker down');
    });
    expect(calls).toEqual([1, 2, 3]);
    expect(result.published).toEqual([1, 2]);
    expect((result.error as Error).message).toBe('broker down');
  });
});

describe('OutboxRelay', () => {
  it('publishes claimed rows in order, each in its own trace, and marks them', async () => {
    const [a, b, c] = [envelope(TRACE_A), envelope(TRACE_B), envelope()];
    const rows = [a, b, c];
    const { dataSource, updates } = fakeDataSource(rows);
    const seen: { id: string; traceId?: string }[] = [];
    const relay = new OutboxRelay(dataSource, {
      publish: async (e) => {
        seen.push({ id: e.id, traceId: trace.getSpanContext(context.active())?.traceId });
      },
    });
    const outer = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: 'c'.repeat(32),
      spanId: '2'.repeat(16),
      traceFlags: 1,
    });
    const result = await context.with(outer, () => relay.relayOnce());
    expect(result).toEqual({ published: 3, more: false });
    expect(seen).toEqual([
      { id: a.id, traceId: TRACE_A },
      { id: b.id, traceId: TRACE_B },
      // No recorded trace: not the relay's caller's either.
      { id: c.id, traceId: undefined },
    ]);
    expect(updates).toEqual([rows.map((r) => r.id)]);
  });

  it('keeps the failed row and everything after it when Kafka fails', async () => {
    const first = envelope();
    const { dataSource, updates, published } = fakeDataSource([first, envelope(), envelope()]);
    let sends = 0;
    const relay = new OutboxRelay(dataSource, {
      publish: async () => {
        if (++sends === 2) throw new Error('Kafka down');
      },
    });
    const result = await relay.relayOnce();
    expect(result).toMatchObject({ published: 1, more: false });
    expect((result.error as Error).message).toBe('Kafka down');
    expect(updates).toEqual([[first.id]]);
    expect([...published]).toEqual([first.id]);
  });

  it('asks for another round at once after a full batch', async () => {
    const { dataSource } = fakeDataSource([envelope(), envelope(), envelope()]);
    const relay = new OutboxRelay(dataSource, { publish: async () => undefined }, { batchSize: 2 });
    await expect(relay.relayOnce()).resolves.toEqual({ published: 2, more: true });
    await expect(relay.relayOnce()).resolves.toEqual({ published: 1, more: false });
  });

  it('publishes nothing while another relay holds the lock', async () => {
    const publish = jest.fn(async () => undefined);
    const { dataSource } = fakeDataSource([envelope()], { locked: false });
    await expect(new OutboxRelay(dataSource, { publish }).relayOnce()).resolves.toEqual({
      published: 0,
      more: false,
      contended: true,
    });
    expect(publish).not.toHaveBeenCalled();
  });

  it('is woken by the commit of a transaction that added events, not by its savepoints', async () => {
    const rows: EventEnvelope[] = [];
    const { dataSource, raw, published } = fakeDataSource(rows);
    const relay = new OutboxRelay(
      dataSource,
      { publish: async () => undefined },
      { pollIntervalMs: 60_000 },
    );
    relay.start();
    try {
      await new Promise((r) => setTimeout(r, 20));
      expect(raw.subscribers).toHaveLength(1);
      const listener = raw.subscribers[0] as {
        afterTransactionCommit(e: unknown): void;
      };
      rows.push(envelope());
      const runner = { isTransactionActive: true, data: { [OUTBOX_PENDING]: true } };
      listener.afterTransactionCommit({ queryRunner: runner });
      await new Promise((r) => setTimeout(r, 20));
      expect(published.size).toBe(0);
      runner.isTransactionActive = false;
      listener.afterTransactionCommit({ queryRunner: runner });
      await new Promise((r) => setTimeout(r, 20));
      expect(published.size).toBe(1);
      expect(runner.data).toEqual({});
    } finally {
      await relay.stop();
    }
    expect(raw.subscribers).toHaveLength(0);
  });

  it('polls less and less while idle (up to idlePollMaxMs) and at full rate again once woken', async () => {
    jest.useFakeTimers();
    try {
      const rows: EventEnvelope[] = [];
      const { dataSource, rounds, published } = fakeDataSource(rows);
      const relay = new OutboxRelay(
        dataSource,
        { publish: async () => undefined },
        { pollIntervalMs: 100, idlePollMaxMs: 400 },
      );
      relay.start();
      await jest.advanceTimersByTimeAsync(0);
      expect(rounds.count).toBe(1);
      // Empty rounds wait 100, 200, 400, 400 … ms.
      for (const [wait, total] of [
        [100, 2],
        [200, 3],
        [400, 4],
        [400, 5],
      ] as const) {
        await jest.advanceTimersByTimeAsync(wait - 1);
        expect(rounds.count).toBe(total - 1);
        await jest.advanceTimersByTimeAsync(1);
        expect(rounds.count).toBe(total);
      }
      // A commit wakes it at once and the poll interval is back to 100 ms.
      rows.push(envelope());
      relay.notify();
      await jest.advanceTimersByTimeAsync(0);
      expect(rounds.count).toBe(6);
      expect(published.size).toBe(1);
      await jest.advanceTimersByTimeAsync(100);
      expect(rounds.count).toBe(7);
      await relay.stop();
    } finally {
      jest.useRealTimers();
    }
  });

  it('keeps polling at full rate while another relay holds the lock', async () => {
    jest.useFakeTimers();
    try {
      const { dataSource, rounds } = fakeDataSource([envelope()], { locked: false });
      const relay = new OutboxRelay(
        dataSource,
        { publish: async () => undefined },
        { pollIntervalMs: 100, idlePollMaxMs: 1_000 },
      );
      relay.start();
      await jest.advanceTimersByTimeAsync(500);
      expect(rounds.count).toBe(6);
      await relay.stop();
    } finally {
      jest.useRealTimers();
    }
  });

  it('backs off exponentially (capped) while Kafka fails and ignores nudges meanwhile', async () => {
    jest.useFakeTimers();
    try {
      const rows = [envelope()];
      const { dataSource } = fakeDataSource(rows);
      const publish = jest.fn(async () => {
        throw new Error('Kafka down');
      });
      const relay = new OutboxRelay(
        dataSource,
        { publish },
        { pollIntervalMs: 100, maxBackoffMs: 500 },
      );
      relay.start();
      await jest.advanceTimersByTimeAsync(0);
      expect(publish).toHaveBeenCalledTimes(1);
      relay.notify();
      await jest.advanceTimersByTimeAsync(99);
      expect(publish).toHaveBeenCalledTimes(1);
      await jest.advanceTimersByTimeAsync(1); // 100 ms after failure 1
      expect(publish).toHaveBeenCalledTimes(2);
      await jest.advanceTimersByTimeAsync(200); // failure 2: 200 ms
      expect(publish).toHaveBeenCalledTimes(3);
      await jest.advanceTimersByTimeAsync(400); // failure 3: 400 ms
      expect(publish).toHaveBeenCalledTimes(4);
      await jest.advanceTimersByTimeAsync(500); // failure 4: capped at 500 ms
      expect(publish).toHaveBeenCalledTimes(5);
      await jest.advanceTimersByTimeAsync(500);
      expect(publish).toHaveBeenCalledTimes(6);
      await relay.stop();
      await jest.advanceTimersByTimeAsync(5_000);
      expect(publish).toHaveBeenCalledTimes(6);
    } finally {
      jest.useRealTimers();
    }
  });

  it('reports the backlog and the age of the oldest unpublished event', async () => {
    const metrics = new Metrics('user');
    const { dataSource } = fakeDataSource([envelope(), envelope()]);
    const relay = new OutboxRelay(dataSource, { publish: async () => undefined }, { metrics });
    await expect(relay.refreshMetrics()).resolves.toEqual({ backlog: 2, oldestAgeSeconds: 12.5 });
    const text = await metrics.registry.metrics();
    expect(text).toContain('ordermesh_outbox_backlog_events 2');
    expect(text).toContain('ordermesh_outbox_oldest_event_age_seconds 12.5');
  });
});
