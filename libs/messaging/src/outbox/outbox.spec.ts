import { ROOT_CONTEXT, context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { EventValidationError, USER_REGISTERED_V1 } from '@ordermesh/contracts';
import type { EntityManager } from 'typeorm';
import { OutboxEventEntity } from './entities';
import { OUTBOX_PENDING, Outbox } from './outbox';

beforeAll(() => {
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => {
  propagation.disable();
  context.disable();
});

const data = {
  userId: '0b7e3b0a-4a4c-4a55-8c0c-4b8f5f0e9b02',
  email: 'ada@example.com',
  name: 'Ada',
  role: 'CUSTOMER' as const,
  registeredAt: '2026-11-25T12:00:00.000Z',
};

function fakeManager(inTransaction: boolean) {
  const inserted: unknown[] = [];
  const runner = { isTransactionActive: inTransaction, data: {} as Record<string, unknown> };
  const manager = {
    queryRunner: runner,
    getRepository: (entity: unknown) => {
      expect(entity).toBe(OutboxEventEntity);
      return { insert: async (row: unknown) => inserted.push(row) };
    },
  } as unknown as EntityManager;
  return { manager, inserted, runner };
}

describe('Outbox.add', () => {
  const outbox = new Outbox({ source: 'user' });

  it('inserts the validated envelope with the active trace context in the caller transaction', async () => {
    const { manager, inserted, runner } = fakeManager(true);
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const active = trace.setSpanContext(ROOT_CONTEXT, {
      traceId,
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
    });
    const envelope = await context.with(active, () =>
      outbox.add(manager, USER_REGISTERED_V1, data),
    );
    expect(envelope).toMatchObject({
      type: 'user.registered.v1',
      source: 'user',
      key: data.userId,
      traceparent: `00-${traceId}-b7ad6b7169203331-01`,
      data,
    });
    expect(inserted).toEqual([
      { id: envelope.id, topic: 'user.registered.v1', key: data.userId, envelope },
    ]);
    expect(runner.data[OUTBOX_PENDING]).toBe(true);
  });

  it('takes an explicit key', async () => {
    const { manager } = fakeManager(true);
    const envelope = await outbox.add(manager, USER_REGISTERED_V1, data, { key: 'k-1' });
    expect(envelope.key).toBe('k-1');
    expect(envelope.traceparent).toBeUndefined();
  });

  it('refuses a manager outside a transaction, and invalid data', async () => {
    const outside = fakeManager(false);
    await expect(outbox.add(outside.manager, USER_REGISTERED_V1, data)).rejects.toThrow(
      /open transaction/,
    );
    expect(outside.inserted).toEqual([]);
    const { manager, inserted } = fakeManager(true);
    await expect(
      outbox.add(manager, USER_REGISTERED_V1, { ...data, email: 'nope' }),
    ).rejects.toBeInstanceOf(EventValidationError);
    expect(inserted).toEqual([]);
  });

  it('refuses an event whose catalogue producer is another service (consumers would drop it)', async () => {
    const { manager, inserted } = fakeManager(true);
    await expect(
      new Outbox({ source: 'order' }).add(manager, USER_REGISTERED_V1, data),
    ).rejects.toThrow(/names user as its producer, not order/);
    expect(inserted).toEqual([]);
  });

  it('passes notify on to the relay', () => {
    const relay = { notify: jest.fn() };
    new Outbox({ source: 'user', relay }).notify();
    expect(relay.notify).toHaveBeenCalledTimes(1);
  });
});
