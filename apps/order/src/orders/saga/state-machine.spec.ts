import {
  CONFIRMED_CANCEL_START,
  RETRY_BASE_MS,
  SHIPPED_BEFORE_CANCEL,
  RETRY_CAP_MS,
  type SagaAction,
  type SagaSnapshot,
  type SagaState,
  type StepOutcome,
  afterStep,
  checkStatusChange,
  nextAttemptAt,
  plan,
} from './state-machine';

const NOW = new Date('2026-11-25T12:00:00.000Z');
const LATER = new Date(NOW.getTime() + 60_000);
const EARLIER = new Date(NOW.getTime() - 1);

const snapshot = (overrides: Partial<SagaSnapshot> = {}): SagaSnapshot => ({
  state: 'RESERVED',
  status: 'PENDING',
  cancelRequested: false,
  cancelReason: null,
  cancelCode: null,
  totalMinor: 1999,
  paymentDeadlineAt: LATER,
  attempts: 0,
  ...overrides,
});

const ok: StepOutcome = { kind: 'ok', detail: 'done' };

/** Runs the saga to its end with `outcomes` per action (default ok) and returns the states visited. */
function run(
  start: SagaSnapshot,
  outcomes: Partial<Record<SagaAction, StepOutcome>> = {},
): { states: SagaState[]; last: SagaSnapshot; events: string[]; final: unknown } {
  let s = start;
  const states: SagaState[] = [s.state];
  const events: string[] = [];
  let final: unknown;
  for (let i = 0; i < 20 && s.state !== 'DONE'; i++) {
    const next = plan(s, NOW);
    const t =
      next.kind === 'call'
        ? afterStep(s, next.action, outcomes[next.action] ?? ok)
        : next.transition;
    if (t.event) events.push(t.event);
    if (t.final) final = t.final;
    s = {
      ...s,
      state: t.state,
      status: t.status,
      cancelReason: t.cancel?.reason ?? s.cancelReason,
      cancelCode: t.cancel?.code ?? s.cancelCode,
      attempts: t.retry ? s.attempts + 1 : 0,
    };
    states.push(s.state);
  }
  return { states, last: s, events, final };
}

describe('order saga state machine', () => {
  it('happy path: RESERVED → AUTHORIZING → COMMITTING → CAPTURING → CONFIRMED', () => {
    const { states, last, events, final } = run(snapshot());
    expect(states).toEqual(['RESERVED', 'AUTHORIZING', 'COMMITTING', 'CAPTURING', 'DONE']);
    expect(last.status).toBe('CONFIRMED');
    expect(events).toEqual(['order.confirmed.v1']);
    expect(final).toEqual({ status: 'CONFIRMED' });
  });

  it('RESERVED starts the payment without a call and records authorize_payment STARTED', () => {
    const next = plan(snapshot(), NOW);
    expect(next).toEqual({
      kind: 'transition',
      transition: expect.objectContaining({
        state: 'AUTHORIZING',
        steps: [{ step: 'authorize_payment', status: 'STARTED', detail: '' }],
      }),
    });
  });

  it.each([
    ['AUTHORIZING', 'authorize_payment'],
    ['COMMITTING', 'commit_stock'],
    ['CAPTURING', 'capture_payment'],
    ['VOIDING', 'void_payment'],
    ['RELEASING', 'release_stock'],
    ['REFUNDING', 'refund_payment'],
    ['RESTOCKING', 'restock_stock'],
    ['CANCELLING_SHIPMENT', 'cancel_shipment'],
  ] as const)('%s calls %s', (state, action) => {
    expect(plan(snapshot({ state }), NOW)).toEqual({ kind: 'call', action });
  });

  it('a decline releases the stock (nothing to void) and cancels with the reason', () => {
    const { states, last, events, final } = run(snapshot(), {
      authorize_payment: { kind: 'declined', detail: 'insufficient funds' },
    });
    expect(states).toEqual(['RESERVED', 'AUTHORIZING', 'RELEASING', 'DONE']);
    expect(last.status).toBe('CANCELLED');
    expect(last.cancelReason).toBe('payment declined: insufficient funds');
    expect(events).toEqual(['order.cancelled.v1']);
    expect(final).toEqual({
      status: 'CANCELLED',
      code: 'payment_declined',
      previousStatus: 'PENDING',
    });
  });

  it('transient and unexpected errors stay in the state and retry', () => {
    for (const kind of ['transient', 'error'] as const) {
      const t = afterStep(snapshot({ state: 'AUTHORIZING' }), 'authorize_payment', {
        kind,
        detail: 'UNAVAILABLE: down',
      });
      expect(t).toMatchObject({ state: 'AUTHORIZING', status: 'PENDING', retry: true });
      expect(t.steps).toEqual([
        { step: 'authorize_payment', status: 'FAILED', detail: 'UNAVAILABLE: down (will retry)' },
      ]);
      expect(t.event).toBeUndefined();
    }
  });

  it('records only the first and every 10th failed attempt', () => {
    const recorded = [0, 1, 2, 9, 10, 11, 20].map(
      (attempts) =>
        afterStep(snapshot({ state: 'CAPTURING', attempts }), 'capture_payment', {
          kind: 'transient',
          detail: 'x',
        }).steps.length,
    );
    expect(recorded).toEqual([1, 0, 0, 0, 1, 0, 1]);
  });

  it('payment deadline passed while AUTHORIZING: void, release, cancel "payment unavailable"', () => {
    const start = snapshot({ state: 'AUTHORIZING', paymentDeadlineAt: EARLIER, attempts: 7 });
    const first = plan(start, NOW);
    expect(first.kind).toBe('transition');
    const { states, last, final } = run(start);
    expect(states).toEqual(['AUTHORIZING', 'VOIDING', 'RELEASING', 'DONE']);
    expect(last.cancelReason).toBe('payment unavailable');
    expect(final).toMatchObject({ code: 'payment_unavailable', previousStatus: 'PENDING' });
  });

  it('the deadline only matters while authorizing', () => {
    expect(plan(snapshot({ state: 'CAPTURING', paymentDeadlineAt: EARLIER }), NOW)).toEqual({
      kind: 'call',
      action: 'capture_payment',
    });
  });

  it('void finding no payment (NOT_FOUND) still releases', () => {
    const t = afterStep(snapshot({ state: 'VOIDING' }), 'void_payment', { kind: 'nothing' });
    expect(t).toMatchObject({ state: 'RELEASING', retry: false });
    expect(t.steps[0]).toEqual({
      step: 'void_payment',
      status: 'COMPENSATED',
      detail: 'nothing to void',
    });
  });

  it.each([
    ['RESERVED', ['RESERVED', 'RELEASING', 'DONE']],
    ['AUTHORIZING', ['AUTHORIZING', 'VOIDING', 'RELEASING', 'DONE']],
    ['COMMITTING', ['COMMITTING', 'VOIDING', 'RELEASING', 'DONE']],
  ] as const)('customer cancel of a PENDING order in %s', (state, expected) => {
    const { states, last, events, final } = run(
      snapshot({
        state,
        cancelRequested: true,
        cancelReason: 'cancelled by customer',
        cancelCode: 'customer',
      }),
    );
    expect(states).toEqual(expected);
    expect(last.status).toBe('CANCELLED');
    expect(events).toEqual(['order.cancelled.v1']);
    expect(final).toEqual({ status: 'CANCELLED', code: 'customer', previousStatus: 'PENDING' });
  });

  it('customer cancel after the commit: void/refund, release refused (COMMITTED) → restock', () => {
    const { states } = run(
      snapshot({ state: 'CAPTURING', cancelRequested: true, cancelCode: 'customer' }),
      { release_stock: { kind: 'rejected', detail: 'FAILED_PRECONDITION: committed' } },
    );
    expect(states).toEqual(['CAPTURING', 'VOIDING', 'RELEASING', 'RESTOCKING', 'DONE']);
  });

  const confirmedCancel = (overrides: Partial<SagaSnapshot> = {}) =>
    snapshot({
      state: CONFIRMED_CANCEL_START,
      status: 'CONFIRMED',
      cancelRequested: true,
      cancelCode: 'customer',
      cancelReason: 'cancelled by customer',
      ...overrides,
    });

  it('cancel of a CONFIRMED order: shipment first, then REFUNDING → RESTOCKING → CANCELLED', () => {
    const { states, last, events, final } = run(confirmedCancel());
    expect(states).toEqual(['CANCELLING_SHIPMENT', 'REFUNDING', 'RESTOCKING', 'DONE']);
    expect(last.status).toBe('CANCELLED');
    expect(events).toEqual(['order.cancelled.v1']);
    expect(final).toEqual({ status: 'CANCELLED', code: 'customer', previousStatus: 'CONFIRMED' });
  });

  it('cancelling the shipment records it and moves on to the refund', () => {
    const t = afterStep(confirmedCancel(), 'cancel_shipment', { kind: 'ok', detail: 'CANCELLED' });
    expect(t).toMatchObject({ state: 'REFUNDING', status: 'CONFIRMED', retry: false });
    expect(t.steps).toEqual([
      { step: 'cancel_shipment', status: 'SUCCEEDED', detail: 'CANCELLED' },
    ]);
    expect(t.event).toBeUndefined();
    expect(t.withdrawCancel).toBeUndefined();
  });

  it.each(['transient', 'error'] as const)(
    'shipping %s: stays CANCELLING_SHIPMENT and retries, nothing refunded meanwhile',
    (kind) => {
      const t = afterStep(confirmedCancel(), 'cancel_shipment', { kind, detail: 'down' });
      expect(t).toMatchObject({ state: 'CANCELLING_SHIPMENT', status: 'CONFIRMED', retry: true });
      expect(t.event).toBeUndefined();
      expect(t.final).toBeUndefined();
    },
  );

  it('payment down after the shipment was cancelled: REFUNDING retries until it is done', () => {
    const refunding = confirmedCancel({ state: 'REFUNDING' });
    const failed = afterStep(refunding, 'refund_payment', { kind: 'transient', detail: 'down' });
    expect(failed).toMatchObject({ state: 'REFUNDING', retry: true });
    expect(failed.final).toBeUndefined();
    const { states, last } = run(
      { ...refunding, attempts: 7 },
      { restock_stock: { kind: 'ok', detail: '' } },
    );
    expect(states).toEqual(['REFUNDING', 'RESTOCKING', 'DONE']);
    expect(last.status).toBe('CANCELLED');
  });

  it('shipping refuses (already shipped): the cancellation is withdrawn, nothing undone', () => {
    const { states, last, events, final } = run(confirmedCancel(), {
      cancel_shipment: { kind: 'rejected', detail: 'the shipment is already SHIPPED' },
    });
    expect(states).toEqual(['CANCELLING_SHIPMENT', 'DONE']);
    expect(last.status).toBe('CONFIRMED');
    expect(events).toEqual([]);
    expect(final).toBeUndefined();
    const t = afterStep(confirmedCancel(), 'cancel_shipment', {
      kind: 'rejected',
      detail: 'the shipment is already SHIPPED',
    });
    expect(t.withdrawCancel).toBe(true);
    expect(t.steps).toEqual([
      { step: 'cancel_shipment', status: 'FAILED', detail: 'the shipment is already SHIPPED' },
      { step: 'cancel_order', status: 'FAILED', detail: SHIPPED_BEFORE_CANCEL },
    ]);
  });

  it('a cancellation of a confirmed order is not a forward state: no void, no release', () => {
    expect(plan(confirmedCancel(), NOW)).toEqual({ kind: 'call', action: 'cancel_shipment' });
    // A free order has no payment, but its shipment is still asked about first.
    expect(plan(confirmedCancel({ totalMinor: 0 }), NOW)).toEqual({
      kind: 'call',
      action: 'cancel_shipment',
    });
  });

  it('a cancel request does not interrupt a compensation already running', () => {
    expect(
      plan(snapshot({ state: 'REFUNDING', status: 'CONFIRMED', cancelRequested: true }), NOW),
    ).toEqual({ kind: 'call', action: 'refund_payment' });
  });

  it('a reservation that expired before the commit: void, release, cancel', () => {
    const { states, last, final } = run(snapshot({ state: 'COMMITTING' }), {
      commit_stock: { kind: 'rejected', detail: 'FAILED_PRECONDITION: EXPIRED' },
    });
    expect(states).toEqual(['COMMITTING', 'VOIDING', 'RELEASING', 'DONE']);
    expect(last.cancelReason).toBe('reservation expired');
    expect(final).toMatchObject({ code: 'reservation_expired' });
  });

  it('a refused capture undoes the payment and restocks the committed units', () => {
    const { states, final } = run(snapshot({ state: 'CAPTURING' }), {
      capture_payment: { kind: 'rejected', detail: 'FAILED_PRECONDITION: VOIDED' },
      release_stock: { kind: 'rejected', detail: 'FAILED_PRECONDITION: committed' },
    });
    expect(states).toEqual(['CAPTURING', 'VOIDING', 'RELEASING', 'RESTOCKING', 'DONE']);
    expect(final).toMatchObject({ code: 'payment_failed' });
  });

  it('restock refused (not committed: units already back) still finishes the cancellation', () => {
    const t = afterStep(
      snapshot({ state: 'RESTOCKING', status: 'CONFIRMED', cancelCode: 'admin' }),
      'restock_stock',
      { kind: 'rejected', detail: 'FAILED_PRECONDITION' },
    );
    expect(t).toMatchObject({ state: 'DONE', status: 'CANCELLED', event: 'order.cancelled.v1' });
  });

  it('a free order skips every payment call', () => {
    const start = snapshot({ totalMinor: 0 });
    const visited: string[] = [];
    let s = start;
    for (let i = 0; i < 10 && s.state !== 'DONE'; i++) {
      const next = plan(s, NOW);
      if (next.kind === 'call') {
        visited.push(next.action);
        const t = afterStep(s, next.action, ok);
        s = { ...s, state: t.state, status: t.status };
      } else {
        s = { ...s, state: next.transition.state, status: next.transition.status };
      }
    }
    expect(visited).toEqual(['commit_stock']);
    expect(s.status).toBe('CONFIRMED');
  });

  it('refuses to plan a finished saga', () => {
    expect(() => plan(snapshot({ state: 'DONE', status: 'CONFIRMED' }), NOW)).toThrow();
  });
});

describe('retry backoff', () => {
  it('is full jitter within [0, min(cap, base·2^(n−1))]', () => {
    for (let attempts = 1; attempts <= 12; attempts++) {
      const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attempts - 1));
      const low = nextAttemptAt(snapshot({ state: 'CAPTURING' }), attempts, NOW, () => 0);
      const high = nextAttemptAt(snapshot({ state: 'CAPTURING' }), attempts, NOW, () => 0.999999);
      expect(low.getTime() - NOW.getTime()).toBe(0);
      expect(high.getTime() - NOW.getTime()).toBeLessThanOrEqual(ceiling);
      expect(high.getTime() - NOW.getTime()).toBeGreaterThanOrEqual(ceiling - 1);
    }
  });

  it('never waits more than 5 s', () => {
    for (let i = 0; i < 200; i++) {
      const at = nextAttemptAt(snapshot({ state: 'RELEASING' }), 1 + (i % 40), NOW);
      expect(at.getTime() - NOW.getTime()).toBeLessThanOrEqual(RETRY_CAP_MS);
      expect(at.getTime()).toBeGreaterThanOrEqual(NOW.getTime());
    }
  });

  it('never retries an authorization after the payment deadline', () => {
    const deadline = new Date(NOW.getTime() + 100);
    const at = nextAttemptAt(
      snapshot({ state: 'AUTHORIZING', paymentDeadlineAt: deadline }),
      10,
      NOW,
      () => 0.99,
    );
    expect(at).toEqual(deadline);
  });
});

describe('order status changes', () => {
  it('allows the lifecycle and staying put', () => {
    for (const [from, to] of [
      ['PENDING', 'CONFIRMED'],
      ['PENDING', 'CANCELLED'],
      ['CONFIRMED', 'SHIPPED'],
      ['CONFIRMED', 'CANCELLED'],
      ['PENDING', 'PENDING'],
      ['CANCELLED', 'CANCELLED'],
    ] as const) {
      expect(() => checkStatusChange(from, to)).not.toThrow();
    }
  });

  it('refuses going back, skipping confirmation and leaving a final status', () => {
    for (const [from, to] of [
      ['CONFIRMED', 'PENDING'],
      ['PENDING', 'SHIPPED'],
      ['CANCELLED', 'CONFIRMED'],
      ['CANCELLED', 'SHIPPED'],
      ['SHIPPED', 'CANCELLED'],
      ['SHIPPED', 'CONFIRMED'],
    ] as const) {
      expect(() => checkStatusChange(from, to)).toThrow(`an order cannot go from ${from} to ${to}`);
    }
  });
});
