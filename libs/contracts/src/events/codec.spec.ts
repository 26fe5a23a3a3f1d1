import { EVENT_TYPES, type EventType } from './catalog';
import { createEvent, EventValidationError, parseEvent, serializeEvent } from './codec';
import { IDS, samples } from './samples';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function expectValidationError(fn: () => unknown, path?: string): EventValidationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(EventValidationError);
    const e = error as EventValidationError;
    if (path) expect(e.issues.map((i) => i.path.join('.'))).toContain(path);
    return e;
  }
  throw new Error('expected an EventValidationError');
}

describe('createEvent', () => {
  it.each(EVENT_TYPES.map((t) => [t]))(
    'accepts a valid %s and round-trips it',
    (type: EventType) => {
      const event = createEvent(type, samples[type], { source: 'order' });
      expect(event.type).toBe(type);
      expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(Number.isNaN(Date.parse(event.time))).toBe(false);
      expect(event.key.length).toBeGreaterThan(0);
      expect(parseEvent(type, Buffer.from(serializeEvent(event)))).toEqual(event);
      expect(parseEvent(serializeEvent(event))).toEqual(event);
    },
  );

  it('derives the key from the catalogue and fills the trace context', () => {
    const event = createEvent('order.placed.v1', samples['order.placed.v1'], {
      source: 'order',
      traceContext: { traceparent: TRACEPARENT, tracestate: 'vendor=1' },
    });
    expect(event.key).toBe(IDS.ORDER);
    expect(event.traceparent).toBe(TRACEPARENT);
    expect(event.tracestate).toBe('vendor=1');
  });

  it('omits absent trace fields and honours explicit id, time and key', () => {
    const event = createEvent('price.changed.v1', samples['price.changed.v1'], {
      source: 'pricing',
      id: IDS.PAYMENT,
      time: new Date('2026-01-02T03:04:05.000Z'),
      key: 'custom',
    });
    expect(event).toMatchObject({
      id: IDS.PAYMENT,
      time: '2026-01-02T03:04:05.000Z',
      key: 'custom',
    });
    expect('traceparent' in event).toBe(false);
  });

  it('rejects invalid data with the zod issues under data.*', () => {
    const bad = { ...samples['order.placed.v1'], orderId: 'not-a-uuid', lines: [] };
    const error = expectValidationError(
      () => createEvent('order.placed.v1', bad, { source: 'order' }),
      'data.orderId',
    );
    expect(error.eventType).toBe('order.placed.v1');
    expect(error.issues.map((i) => i.path.join('.'))).toContain('data.lines');
    expect(error.message).toContain('data.orderId');
  });

  it('rejects floating-point money and bad currencies', () => {
    const data = {
      ...samples['payment.captured.v1'],
      amount: { amountMinor: 19.99, currency: 'eur' },
    };
    const error = expectValidationError(() =>
      createEvent('payment.captured.v1', data, { source: 'payment' }),
    );
    expect(error.issues.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining(['data.amount.amountMinor', 'data.amount.currency']),
    );
  });

  it('rejects a malformed traceparent', () => {
    expectValidationError(
      () =>
        createEvent('user.registered.v1', samples['user.registered.v1'], {
          source: 'user',
          traceContext: { traceparent: 'garbage' },
        }),
      'traceparent',
    );
  });
});

describe('parseEvent', () => {
  const valid = createEvent('shipment.shipped.v1', samples['shipment.shipped.v1'], {
    source: 'shipping',
  });

  it('drops unknown data fields (tolerant reader)', () => {
    const raw = { ...valid, data: { ...valid.data, extra: 'x' } };
    expect(parseEvent('shipment.shipped.v1', raw).data).toEqual(valid.data);
  });

  it('rejects invalid JSON', () => {
    expectValidationError(() => parseEvent(Buffer.from('{not json')));
  });

  it('rejects an invalid envelope', () => {
    expectValidationError(() => parseEvent({ ...valid, id: 'nope' }), 'id');
    expectValidationError(() => parseEvent({ ...valid, time: 'yesterday' }), 'time');
    const { data: _data, ...withoutData } = valid;
    expectValidationError(() => parseEvent(withoutData), 'data');
  });

  it('rejects an unknown type', () => {
    const error = expectValidationError(
      () => parseEvent({ ...valid, type: 'order.teleported.v1' }),
      'type',
    );
    expect(error.message).toContain('unknown event type');
  });

  it('rejects an unexpected type when one is required', () => {
    expectValidationError(() => parseEvent('shipment.delivered.v1', valid), 'type');
  });

  it('rejects invalid data', () => {
    expectValidationError(
      () => parseEvent({ ...valid, data: { ...valid.data, trackingNumber: '' } }),
      'data.trackingNumber',
    );
  });

  it('narrows the union by type', () => {
    const event = parseEvent(serializeEvent(valid));
    if (event.type !== 'shipment.shipped.v1') throw new Error('wrong type');
    expect(event.data.trackingNumber).toBe('OM123456789');
  });
});
