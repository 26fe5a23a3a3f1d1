import { type EvaluationInput, type Snapshot, evaluate } from './invariants';
import type { RequestRecord } from './load-driver';

describe('the chaos invariant checker', () => {
  const A = '00000000-0000-4000-8000-00000000000a';
  const B = '00000000-0000-4000-8000-00000000000b';
  const P = '00000000-0000-4000-8000-0000000000aa';
  const ev = (n: number) => `00000000-0000-4000-8000-0000000001${String(n).padStart(2, '0')}`;

  /** Order A confirmed (2 units), order B declined and cancelled (1 unit back): all consistent. */
  function healthy(): EvaluationInput {
    const snapshot: Snapshot = {
      orders: [
        {
          id: A,
          customer_id: 'c',
          status: 'CONFIRMED',
          saga_state: 'DONE',
          total_minor: 2000,
          cancel_code: null,
          version: 5,
          updated_at: '',
        },
        {
          id: B,
          customer_id: 'c',
          status: 'CANCELLED',
          saga_state: 'DONE',
          total_minor: 1000,
          cancel_code: 'payment_declined',
          version: 4,
          updated_at: '',
        },
      ],
      lines: [
        { order_id: A, product_id: P, quantity: 2 },
        { order_id: B, product_id: P, quantity: 1 },
      ],
      compensations: [{ order_id: B, step: 'release_stock', n: 1 }],
      keys: [
        { key: 'k1', orders: 1 },
        { key: 'k2', orders: 1 },
      ],
      orderEvents: [
        { id: ev(1), topic: 'order.placed.v1', order_id: A },
        { id: ev(2), topic: 'order.confirmed.v1', order_id: A },
        { id: ev(3), topic: 'order.placed.v1', order_id: B },
        { id: ev(4), topic: 'order.cancelled.v1', order_id: B },
      ],
      payments: [
        {
          order_id: A,
          status: 'CAPTURED',
          amount_minor: 2000,
          captured_minor: 2000,
          refunded_minor: 0,
        },
        {
          order_id: B,
          status: 'DECLINED',
          amount_minor: 1000,
          captured_minor: 0,
          refunded_minor: 0,
        },
      ],
      paymentOps: [
        { order_id: A, kind: 'authorize', outcome: 'approved', amount_minor: 2000 },
        { order_id: A, kind: 'capture', outcome: 'approved', amount_minor: 2000 },
        { order_id: B, kind: 'authorize', outcome: 'declined', amount_minor: 1000 },
      ],
      stock: [{ product_id: P, available: 8, reserved: 0, sold: 2 }],
      reservations: [
        { order_id: A, status: 'committed' },
        { order_id: B, status: 'released' },
      ],
      openReserved: [],
      shipments: [{ order_id: A, status: 'CREATED', n: 1 }],
      shipmentCreated: [{ id: ev(5), order_id: A }],
      processed: {
        shipping: [ev(2), ev(4)],
        order: [ev(5)],
        notification: [ev(1), ev(2), ev(3), ev(4)],
      },
      unpublishedOutbox: { order: 0, payment: 0 },
      deadLetters: {
        before: { 'order.confirmed.v1.dlq': 3 },
        after: { 'order.confirmed.v1.dlq': 3 },
      },
      groupLag: { shipping: 0, notification: 0, order: 0 },
    };
    const records: RequestRecord[] = [
      {
        seq: 0,
        kind: 'order',
        customer: 0,
        sentAt: 1_000,
        latencyMs: 20,
        status: 201,
        key: 'k1',
        orderId: A,
      },
      {
        seq: 1,
        kind: 'order',
        customer: 0,
        sentAt: 12_000,
        latencyMs: 20,
        status: 503,
        error: 'order unavailable',
        clearBody: true,
        key: 'k3',
      },
      {
        seq: 2,
        kind: 'order',
        customer: 0,
        sentAt: 25_000,
        latencyMs: 20,
        status: 201,
        key: 'k2',
        orderId: B,
      },
    ];
    return {
      snapshot,
      initialStock: { [P]: 10 },
      acceptedOrderIds: new Set([A, B]),
      records,
      faultStartedAt: 10_000,
      recoveredAt: 20_000,
      settledAt: 30_000,
      settleMs: 60_000,
      errorFreeAfterMs: 10_000,
      stockSamples: [{ at: 5_000, minAvailable: 8, minReserved: 0, minSold: 0 }],
      reconciliationProblems: [],
    };
  }
  const failing = (input: EvaluationInput) =>
    evaluate(input)
      .filter((r) => !r.passed)
      .map((r) => r.id);

  it('passes a consistent system', () => {
    expect(failing(healthy())).toEqual([]);
  });

  it('catches an order stuck PENDING', () => {
    const input = healthy();
    input.snapshot.orders[0] = {
      ...input.snapshot.orders[0]!,
      status: 'PENDING',
      saga_state: 'CAPTURING',
    };
    expect(failing(input)).toContain('orders-final');
  });

  it('catches a second capture', () => {
    const input = healthy();
    input.snapshot.paymentOps.push({
      order_id: A,
      kind: 'capture',
      outcome: 'approved',
      amount_minor: 2000,
    });
    expect(failing(input)).toEqual(['no-double-charge']);
  });

  it('catches a charge that a cancellation did not give back', () => {
    const input = healthy();
    input.snapshot.payments[1] = {
      ...input.snapshot.payments[1]!,
      status: 'CAPTURED',
      captured_minor: 1000,
    };
    expect(failing(input)).toContain('no-double-charge');
  });

  it('catches a lost event (no shipment, not handled by shipping)', () => {
    const input = healthy();
    input.snapshot.shipments = [];
    input.snapshot.processed.shipping = [ev(4)];
    expect(failing(input)).toEqual(['events-once']);
  });

  it('catches a dead-lettered record and a consumer left behind', () => {
    const input = healthy();
    input.snapshot.deadLetters.after['order.confirmed.v1.dlq'] = 4;
    expect(failing(input)).toEqual(['events-once']);
    const lagging = healthy();
    lagging.snapshot.groupLag['notification'] = 12;
    expect(failing(lagging)).toEqual(['events-once']);
  });

  it('after a replay of the whole history, lets each earlier dead letter be dead-lettered again by each consumer group, no more', () => {
    const replayed = healthy();
    replayed.historyReplayed = true;
    // 3 before; order.confirmed.v1 has two consumer groups (shipping, notification).
    replayed.snapshot.deadLetters.after['order.confirmed.v1.dlq'] = 9;
    expect(failing(replayed)).toEqual([]);
    replayed.snapshot.deadLetters.after['order.confirmed.v1.dlq'] = 10;
    expect(failing(replayed)).toEqual(['events-once']);
  });

  it('catches a lost accepted order and a second order for one key', () => {
    const input = healthy();
    input.acceptedOrderIds.add('00000000-0000-4000-8000-0000000000ff');
    expect(failing(input)).toContain('no-lost-orders');
    const doubled = healthy();
    doubled.snapshot.keys.push({ key: 'k3', orders: 2 });
    expect(failing(doubled)).toEqual(['no-lost-orders']);
  });

  it('catches stock that is not conserved or a compensation applied twice', () => {
    const input = healthy();
    input.snapshot.stock[0] = { product_id: P, available: 9, reserved: 0, sold: 2 };
    expect(failing(input)).toEqual(['stock-conserved']);
    const twice = healthy();
    twice.snapshot.compensations[0]!.n = 2;
    expect(failing(twice)).toEqual(['compensations-once']);
  });

  it('catches errors that go on after recovery, and unclear 5xx', () => {
    const input = healthy();
    input.records.push({
      seq: 3,
      kind: 'view',
      customer: 0,
      sentAt: 31_000,
      latencyMs: 5,
      status: 0,
      error: 'ECONNREFUSED',
    });
    expect(failing(input)).toEqual(['error-rate-recovers']);
    const unclear = healthy();
    unclear.records.push({
      seq: 4,
      kind: 'order',
      customer: 0,
      sentAt: 12_000,
      latencyMs: 5,
      status: 500,
      clearBody: true,
    });
    expect(failing(unclear)).toEqual(['clear-5xx']);
  });
});
