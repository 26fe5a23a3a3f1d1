// The order saga as a pure function: (persisted state, outcome of one step) -> next state, the
// history entries to append and the event to publish. No I/O here; the worker (saga.worker.ts)
// performs the calls and persists what this decides. See docs/architecture.md, "Order saga".
import { fullJitterBackoff } from '@ordermesh/resilience';

export const SAGA_STATES = [
  'RESERVED',
  'AUTHORIZING',
  'COMMITTING',
  'CAPTURING',
  'VOIDING',
  'RELEASING',
  'REFUNDING',
  'RESTOCKING',
  'CANCELLING_SHIPMENT',
  'DONE',
] as const;
export type SagaState = (typeof SAGA_STATES)[number];

export type OrderStatusName = 'PENDING' | 'CONFIRMED' | 'CANCELLED' | 'SHIPPED';
export type StepStatusName = 'STARTED' | 'SUCCEEDED' | 'FAILED' | 'COMPENSATED';

/**
 * The statuses each order status may become — the one place that says so (the repository checks
 * every status it writes against it, under the row lock). CANCELLED and SHIPPED are final.
 */
export const STATUS_CHANGES: Readonly<Record<OrderStatusName, readonly OrderStatusName[]>> = {
  PENDING: ['CONFIRMED', 'CANCELLED'],
  CONFIRMED: ['SHIPPED', 'CANCELLED'],
  CANCELLED: [],
  SHIPPED: [],
};

/** Throws when an order in status `from` may not become `to` (staying the same is allowed). */
export function checkStatusChange(from: OrderStatusName, to: OrderStatusName): void {
  if (from !== to && !STATUS_CHANGES[from].includes(to)) {
    throw new Error(`an order cannot go from ${from} to ${to}`);
  }
}

/** Why an order was cancelled: the bounded `reason` label of ordermesh_orders_total. */
export const CANCEL_CODES = [
  'payment_declined',
  'payment_unavailable',
  'payment_failed',
  'reservation_expired',
  'customer',
  'admin',
] as const;
export type CancelCode = (typeof CANCEL_CODES)[number];

/** Cancel reasons shown to customers (Order.cancel_reason); declines append the provider's reason. */
export const CANCEL_REASONS = {
  payment_unavailable: 'payment unavailable',
  reservation_expired: 'reservation expired',
  customer: 'cancelled by customer',
  admin: 'cancelled by admin',
} as const;

/** The remote call each state performs; RESERVED and DONE perform none. */
export type SagaAction =
  | 'authorize_payment'
  | 'commit_stock'
  | 'capture_payment'
  | 'void_payment'
  | 'release_stock'
  | 'refund_payment'
  | 'restock_stock'
  | 'cancel_shipment';

const ACTION_OF: Record<SagaState, SagaAction | null> = {
  RESERVED: null,
  AUTHORIZING: 'authorize_payment',
  COMMITTING: 'commit_stock',
  CAPTURING: 'capture_payment',
  VOIDING: 'void_payment',
  RELEASING: 'release_stock',
  REFUNDING: 'refund_payment',
  RESTOCKING: 'restock_stock',
  CANCELLING_SHIPMENT: 'cancel_shipment',
  DONE: null,
};

export function actionOf(state: SagaState): SagaAction | null {
  return ACTION_OF[state];
}

const PAYMENT_ACTIONS: ReadonlySet<SagaAction> = new Set([
  'authorize_payment',
  'capture_payment',
  'void_payment',
  'refund_payment',
]);

/**
 * The cancellation of a CONFIRMED order, in this order and each step retried until it is done:
 * CANCELLING_SHIPMENT (shipping decides whether the parcel has left) → REFUNDING → RESTOCKING →
 * DONE/CANCELLED; or, if shipping refuses, DONE with the order unchanged. The request only records
 * the intent (cancel_requested, saga_state = CANCELLING_SHIPMENT) in one transaction, so no
 * failure can leave a cancelled shipment beside a captured payment.
 */
export const CONFIRMED_CANCEL_START: SagaState = 'CANCELLING_SHIPMENT';

/** States of the forward path: the order is PENDING and nothing has been compensated yet. */
const FORWARD: ReadonlySet<SagaState> = new Set([
  'RESERVED',
  'AUTHORIZING',
  'COMMITTING',
  'CAPTURING',
]);

export const isForward = (state: SagaState): boolean => FORWARD.has(state);

/** What the saga needs to know about an order (a projection of its row). */
export interface SagaSnapshot {
  state: SagaState;
  status: OrderStatusName;
  cancelRequested: boolean;
  cancelReason: string | null;
  cancelCode: CancelCode | null;
  totalMinor: number;
  paymentDeadlineAt: Date;
  /** Failed attempts of the current state. */
  attempts: number;
}

/**
 * The result of a step, as seen by the saga:
 * - ok: the callee did it (or had done it: every callee is idempotent by order id);
 * - declined: AuthorizePayment returned DECLINED;
 * - rejected: the callee refuses for good (e.g. CommitReservation on an EXPIRED reservation);
 * - nothing: a compensation found nothing to undo (NOT_FOUND);
 * - transient: UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, breaker open: retry later;
 * - error: anything else unexpected: recorded, then retried with backoff (the order is never lost).
 */
export type StepOutcome =
  | { kind: 'ok'; detail?: string }
  | { kind: 'declined'; detail: string }
  | { kind: 'rejected'; detail: string }
  | { kind: 'nothing'; detail?: string }
  | { kind: 'transient'; detail: string }
  | { kind: 'error'; detail: string };

export interface StepRecord {
  step: string;
  status: StepStatusName;
  detail: string;
}

export type SagaEvent = 'order.confirmed.v1' | 'order.cancelled.v1';

export interface Transition {
  state: SagaState;
  status: OrderStatusName;
  steps: StepRecord[];
  /** Set when this transition decides the cancellation (reason and metric label). */
  cancel?: { reason: string; code: CancelCode };
  /** Published (through the outbox) in the same transaction. */
  event?: SagaEvent;
  /** Stay in the same state and try again after a backoff (attempts + 1). */
  retry: boolean;
  /**
   * The requested cancellation is dropped (shipping refused it: the parcel left): the order keeps
   * its status, and its cancel request, reason and code are cleared.
   */
  withdrawCancel?: boolean;
  /**
   * The saga reached its end (CONFIRMED or CANCELLED): counted in ordermesh_orders_total. For a
   * cancellation, `previousStatus` is the status the order had (PENDING or CONFIRMED).
   */
  final?:
    | { status: 'CONFIRMED' }
    | { status: 'CANCELLED'; code: CancelCode; previousStatus: 'PENDING' | 'CONFIRMED' };
}

/** What to do next for a claimed order: call `action`, or apply `transition` without a call. */
export type Plan =
  { kind: 'call'; action: SagaAction } | { kind: 'transition'; transition: Transition };

const move = (
  s: SagaSnapshot,
  state: SagaState,
  steps: StepRecord[] = [],
  extra: Partial<Transition> = {},
): Transition => ({ state, status: s.status, steps, retry: false, ...extra });

/**
 * Decides the next step of a claimed order before any call: a pending cancellation or an expired
 * payment deadline switches to compensation, RESERVED starts the payment, payment steps of a
 * free order are skipped; otherwise the state's action is to be called.
 */
export function plan(s: SagaSnapshot, now: Date): Plan {
  if (s.state === 'DONE') throw new Error('plan: the saga of this order is finished');
  if (s.cancelRequested && isForward(s.state)) {
    // Nothing was attempted at the payment provider before AUTHORIZING.
    return {
      kind: 'transition',
      transition: move(s, s.state === 'RESERVED' ? 'RELEASING' : 'VOIDING'),
    };
  }
  if (s.state === 'AUTHORIZING' && now.getTime() >= s.paymentDeadlineAt.getTime()) {
    return {
      kind: 'transition',
      transition: move(
        s,
        'VOIDING',
        [
          {
            step: 'authorize_payment',
            status: 'FAILED',
            detail: 'payment not authorized before the payment deadline',
          },
        ],
        {
          cancel: { reason: CANCEL_REASONS.payment_unavailable, code: 'payment_unavailable' },
        },
      ),
    };
  }
  if (s.state === 'RESERVED') {
    return {
      kind: 'transition',
      transition: move(s, 'AUTHORIZING', [
        { step: 'authorize_payment', status: 'STARTED', detail: '' },
      ]),
    };
  }
  const action = actionOf(s.state);
  if (!action) throw new Error(`plan: no action for ${s.state}`);
  if (s.totalMinor === 0 && PAYMENT_ACTIONS.has(action)) {
    // The payment service refuses non-positive amounts: a free order has nothing to pay or undo.
    return {
      kind: 'transition',
      transition: afterStep(s, action, { kind: 'ok', detail: 'nothing to pay' }),
    };
  }
  return { kind: 'call', action };
}

/** The transition after `action` (the action of `s.state`) ended with `outcome`. */
export function afterStep(s: SagaSnapshot, action: SagaAction, outcome: StepOutcome): Transition {
  if (outcome.kind === 'transient' || outcome.kind === 'error') {
    // The first failure and every 10th: recording each retry would flood the history while a
    // dependency is down.
    const record = s.attempts % 10 === 0;
    return {
      state: s.state,
      status: s.status,
      retry: true,
      steps: record
        ? [{ step: action, status: 'FAILED', detail: `${outcome.detail} (will retry)` }]
        : [],
    };
  }
  const detail = outcome.detail ?? '';
  switch (action) {
    case 'authorize_payment':
      if (outcome.kind === 'ok') {
        return move(s, 'COMMITTING', [{ step: action, status: 'SUCCEEDED', detail }]);
      }
      if (outcome.kind === 'declined') {
        // Nothing was authorized: only the stock has to go back.
        return move(s, 'RELEASING', [{ step: action, status: 'FAILED', detail }], {
          cancel: { reason: `payment declined: ${detail}`, code: 'payment_declined' },
        });
      }
      return move(s, 'VOIDING', [{ step: action, status: 'FAILED', detail }], {
        cancel: { reason: `payment failed: ${detail}`, code: 'payment_failed' },
      });
    case 'commit_stock':
      if (outcome.kind === 'ok') {
        return move(s, 'CAPTURING', [{ step: action, status: 'SUCCEEDED', detail }]);
      }
      // The reservation is gone (expired or released): void the authorization, then cancel.
      return move(s, 'VOIDING', [{ step: action, status: 'FAILED', detail }], {
        cancel: { reason: CANCEL_REASONS.reservation_expired, code: 'reservation_expired' },
      });
    case 'capture_payment':
      if (outcome.kind === 'ok') {
        return {
          state: 'DONE',
          status: 'CONFIRMED',
          retry: false,
          steps: [{ step: action, status: 'SUCCEEDED', detail }],
          event: 'order.confirmed.v1',
          final: { status: 'CONFIRMED' },
        };
      }
      // Stock is committed: undo the payment, then RELEASING turns into RESTOCKING.
      return move(s, 'VOIDING', [{ step: action, status: 'FAILED', detail }], {
        cancel: { reason: `payment failed: ${detail}`, code: 'payment_failed' },
      });
    case 'void_payment':
      return move(s, 'RELEASING', [
        { step: action, status: 'COMPENSATED', detail: detail || 'nothing to void' },
      ]);
    case 'refund_payment':
      return move(s, 'RESTOCKING', [
        { step: action, status: 'COMPENSATED', detail: detail || 'nothing to refund' },
      ]);
    case 'release_stock':
      if (outcome.kind === 'rejected') {
        // The reservation was committed (e.g. the commit went through but its reply was lost).
        return move(s, 'RESTOCKING', [{ step: action, status: 'FAILED', detail }]);
      }
      return finishCancel(s, {
        step: action,
        status: 'COMPENSATED',
        detail: detail || 'nothing to release',
      });
    case 'cancel_shipment':
      if (outcome.kind === 'ok' || outcome.kind === 'nothing') {
        // Shipping will not send the parcel: now the payment can be refunded safely.
        return move(s, 'REFUNDING', [{ step: action, status: 'SUCCEEDED', detail }]);
      }
      // Shipping refuses (shipped or delivered): nothing was undone, the order stays as it was.
      return {
        state: 'DONE',
        status: s.status,
        retry: false,
        withdrawCancel: true,
        steps: [
          { step: action, status: 'FAILED', detail },
          { step: 'cancel_order', status: 'FAILED', detail: SHIPPED_BEFORE_CANCEL },
        ],
      };
    case 'restock_stock':
      // rejected: the reservation is not committed (released or expired): its units are back.
      return finishCancel(s, {
        step: action,
        status: 'COMPENSATED',
        detail: detail || 'nothing to restock',
      });
  }
}

function finishCancel(s: SagaSnapshot, step: StepRecord): Transition {
  const previousStatus = s.status === 'CONFIRMED' ? 'CONFIRMED' : 'PENDING';
  const code = s.cancelCode ?? 'customer';
  return {
    state: 'DONE',
    status: 'CANCELLED',
    retry: false,
    steps: [step],
    event: 'order.cancelled.v1',
    final: { status: 'CANCELLED', code, previousStatus },
  };
}

/** Why a cancellation of a CONFIRMED order was dropped. */
export const SHIPPED_BEFORE_CANCEL = 'the order has been shipped and can no longer be cancelled';

export const RETRY_BASE_MS = 200;
export const RETRY_CAP_MS = 5_000;

/**
 * When a failed step is tried again: full-jitter exponential backoff (base 200 ms, cap 5 s) after
 * `attempts` failures (the one just recorded included). While authorizing, never later than the
 * payment deadline, so an order whose payment cannot be authorized is cancelled on time.
 */
export function nextAttemptAt(
  s: Pick<SagaSnapshot, 'state' | 'paymentDeadlineAt'>,
  attempts: number,
  now: Date,
  random: () => number = Math.random,
): Date {
  const delay = fullJitterBackoff(Math.max(0, attempts - 1), RETRY_BASE_MS, RETRY_CAP_MS, random);
  const at = now.getTime() + delay;
  if (s.state === 'AUTHORIZING') return new Date(Math.min(at, s.paymentDeadlineAt.getTime()));
  return new Date(at);
}
