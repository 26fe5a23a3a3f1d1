import {
  type AuthorizeInput,
  type PaymentStatusName,
  authorizeProblems,
  authorizeReplay,
  captureTransition,
  isRejection,
  refundTransition,
} from './payment-state';

const ORDER = '6f1c1e0e-8a59-4c41-9a3a-0f7c4f2f8a01';
const CUSTOMER = '0b7e3b0a-4a4c-4a55-8c0c-4b8f5f0e9b02';
const ALL: PaymentStatusName[] = ['AUTHORIZED', 'CAPTURED', 'DECLINED', 'VOIDED', 'REFUNDED'];

describe('captureTransition', () => {
  it('captures an authorization and repeats a capture idempotently', () => {
    expect(captureTransition('AUTHORIZED')).toBe('capture');
    expect(captureTransition('CAPTURED')).toBe('already');
  });

  it.each(['DECLINED', 'VOIDED', 'REFUNDED'] as const)('rejects %s', (status) => {
    const result = captureTransition(status);
    expect(isRejection(result)).toBe(true);
  });
});

describe('refundTransition', () => {
  it('voids an authorization and refunds a capture', () => {
    expect(refundTransition('AUTHORIZED')).toBe('void');
    expect(refundTransition('CAPTURED')).toBe('refund');
  });

  it('repeats a void or refund idempotently and leaves a decline unchanged', () => {
    expect(refundTransition('VOIDED')).toBe('already');
    expect(refundTransition('REFUNDED')).toBe('already');
    expect(refundTransition('DECLINED')).toBe('unchanged');
  });

  it('never moves money out of a terminal state', () => {
    for (const status of ALL) {
      const capture = captureTransition(status);
      const refund = refundTransition(status);
      if (status === 'VOIDED' || status === 'REFUNDED' || status === 'DECLINED') {
        expect(capture === 'capture').toBe(false);
        expect(refund === 'void' || refund === 'refund').toBe(false);
      }
    }
  });
});

describe('authorizeReplay', () => {
  const existing = { customerId: CUSTOMER, amountMinor: 3600, currency: 'EUR' };
  const request: AuthorizeInput = {
    orderId: ORDER,
    customerId: CUSTOMER,
    amountMinor: 3600,
    currency: 'EUR',
    paymentMethod: 'card',
  };

  it('accepts the same request (another payment method too: the first decision stands)', () => {
    expect(authorizeReplay(existing, request)).toBe('same');
    expect(authorizeReplay(existing, { ...request, paymentMethod: 'paypal' })).toBe('same');
  });

  it('rejects another amount, currency or customer for the same order', () => {
    expect(isRejection(authorizeReplay(existing, { ...request, amountMinor: 3601 }))).toBe(true);
    expect(isRejection(authorizeReplay(existing, { ...request, currency: 'USD' }))).toBe(true);
    const other = authorizeReplay(existing, {
      ...request,
      customerId: '9c8b7a6d-5e4f-4a3b-9c2d-1e0f9a8b7c05',
    });
    expect(isRejection(other) && other.reject).toMatch(/customer/);
  });
});

describe('authorizeProblems', () => {
  const valid = {
    orderId: ORDER,
    customerId: CUSTOMER,
    amount: { amountMinor: 1999, currency: 'EUR' },
    paymentMethod: 'card',
  };

  it('accepts a valid request', () => {
    expect(authorizeProblems(valid)).toEqual([]);
  });

  it.each([
    ['orderId', { orderId: 'nope' }, /order_id/],
    ['customerId', { customerId: '' }, /customer_id/],
    ['missing amount', { amount: null }, /amount is required/],
    ['zero amount', { amount: { amountMinor: 0, currency: 'EUR' } }, /positive/],
    ['negative amount', { amount: { amountMinor: -5, currency: 'EUR' } }, /positive/],
    ['fractional amount', { amount: { amountMinor: 1.5, currency: 'EUR' } }, /positive/],
    ['unsafe amount', { amount: { amountMinor: 2 ** 53, currency: 'EUR' } }, /positive/],
    ['currency', { amount: { amountMinor: 1, currency: 'eur' } }, /currency/],
    ['empty method', { paymentMethod: '' }, /payment_method/],
    ['long method', { paymentMethod: 'x'.repeat(65) }, /payment_method/],
    ['method with spaces', { paymentMethod: 'credit card' }, /payment_method/],
  ])('rejects %s', (_name, change, message) => {
    const problems = authorizeProblems({ ...valid, ...change });
    expect(problems.join('; ')).toMatch(message);
  });
});
