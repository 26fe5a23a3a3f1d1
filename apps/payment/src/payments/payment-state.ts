// The payment state machine and request validation, free of I/O (unit-tested in
// payment-state.spec.ts). Statuses are the proto enum names (PaymentStatus in @ordermesh/contracts).

export type PaymentStatusName = 'AUTHORIZED' | 'CAPTURED' | 'DECLINED' | 'VOIDED' | 'REFUNDED';
export type OperationKind = 'authorize' | 'capture' | 'void' | 'refund';
export type OperationOutcome = 'approved' | 'declined';

export interface Rejection {
  reject: string;
}

export function isRejection(value: unknown): value is Rejection {
  return typeof value === 'object' && value !== null && 'reject' in value;
}

/**
 * CapturePayment: AUTHORIZED -> CAPTURED; CAPTURED again is the idempotent repeat; anything else
 * is FAILED_PRECONDITION.
 */
export function captureTransition(status: PaymentStatusName): 'capture' | 'already' | Rejection {
  switch (status) {
    case 'AUTHORIZED':
      return 'capture';
    case 'CAPTURED':
      return 'already';
    case 'DECLINED':
      return { reject: 'the payment was declined and cannot be captured' };
    case 'VOIDED':
      return { reject: 'the authorization was voided and cannot be captured' };
    case 'REFUNDED':
      return { reject: 'the payment was refunded and cannot be captured again' };
  }
}

/**
 * RefundPayment: AUTHORIZED -> VOIDED (nothing was charged), CAPTURED -> REFUNDED (full refund).
 * VOIDED/REFUNDED are idempotent repeats; DECLINED is returned unchanged (nothing to give back).
 */
export function refundTransition(
  status: PaymentStatusName,
): 'void' | 'refund' | 'already' | 'unchanged' {
  switch (status) {
    case 'AUTHORIZED':
      return 'void';
    case 'CAPTURED':
      return 'refund';
    case 'VOIDED':
    case 'REFUNDED':
      return 'already';
    case 'DECLINED':
      return 'unchanged';
  }
}

export interface AuthorizeInput {
  orderId: string;
  customerId: string;
  amountMinor: number;
  currency: string;
  paymentMethod: string;
}

/**
 * A repeated AuthorizePayment for an order that already has a payment returns it, unless the
 * request describes another payment (amount, currency or customer): that is a caller bug, and a
 * silent "success" would hide that the new amount was never authorized.
 */
export function authorizeReplay(
  existing: { customerId: string; amountMinor: number; currency: string },
  request: AuthorizeInput,
): 'same' | Rejection {
  const differences: string[] = [];
  if (existing.amountMinor !== request.amountMinor || existing.currency !== request.currency) {
    differences.push(
      `amount ${existing.amountMinor} ${existing.currency} (requested ${request.amountMinor} ${request.currency})`,
    );
  }
  if (existing.customerId !== request.customerId) differences.push('customer');
  if (differences.length === 0) return 'same';
  return {
    reject: `order ${request.orderId} already has a payment with a different ${differences.join(' and ')}`,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CURRENCY = /^[A-Z]{3}$/;
/** Same alphabet the gateway accepts for paymentMethod, a little wider (upper case, '.', ':'). */
const PAYMENT_METHOD = /^[A-Za-z0-9_.:-]{1,64}$/;
export const MAX_REFUND_REASON = 500;

/** Problems of an AuthorizePayment request (empty = valid). */
export function authorizeProblems(request: {
  orderId: string;
  customerId: string;
  amount: { amountMinor: number; currency: string } | null | undefined;
  paymentMethod: string;
}): string[] {
  const problems: string[] = [];
  if (!UUID.test(request.orderId)) problems.push('order_id must be a UUID');
  if (!UUID.test(request.customerId)) problems.push('customer_id must be a UUID');
  if (!request.amount) {
    problems.push('amount is required');
  } else {
    if (!Number.isSafeInteger(request.amount.amountMinor) || request.amount.amountMinor <= 0) {
      problems.push('amount.amount_minor must be a positive integer');
    }
    if (!CURRENCY.test(request.amount.currency)) {
      problems.push('amount.currency must be an ISO 4217 code');
    }
  }
  if (!PAYMENT_METHOD.test(request.paymentMethod)) {
    problems.push('payment_method must be 1-64 characters of A-Z a-z 0-9 _ . : -');
  }
  return problems;
}
