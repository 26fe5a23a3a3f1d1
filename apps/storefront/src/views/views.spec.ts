import type { ApiOrder } from '../gateway/gateway.types';
import { cancellable, formatMoney, isResting, stepLabel } from './views';

const order = (over: Partial<ApiOrder>): ApiOrder => ({
  id: '11111111-1111-4111-8111-111111111111',
  customerId: 'c',
  status: 'pending',
  cancelReason: null,
  lines: [],
  total: { amountMinor: 0, currency: 'EUR' },
  paymentMethod: 'card',
  shippingAddress: null,
  steps: [],
  createdAt: '',
  updatedAt: '',
  traceId: null,
  ...over,
});

describe('page helpers', () => {
  it('formats integer minor units by the currency’s digits', () => {
    expect(formatMoney({ amountMinor: 1999, currency: 'EUR' })).toBe('€19.99');
    expect(formatMoney({ amountMinor: 500, currency: 'JPY' })).toBe('¥500');
    expect(formatMoney(null)).toBe('–');
  });

  it('names the saga steps for people', () => {
    expect(stepLabel({ step: 'authorize_payment', status: 'started', detail: '', at: '' })).toBe(
      'Authorize payment',
    );
    expect(stepLabel({ step: 'new_step', status: 'started', detail: '', at: '' })).toBe('new step');
  });

  it('offers cancelling until the order ships, is cancelled, or a cancellation runs', () => {
    expect(cancellable(order({ status: 'pending' }))).toBe(true);
    expect(cancellable(order({ status: 'confirmed' }))).toBe(true);
    expect(cancellable(order({ status: 'shipped' }))).toBe(false);
    expect(cancellable(order({ status: 'cancelled' }))).toBe(false);
    expect(
      cancellable(
        order({
          status: 'confirmed',
          steps: [{ step: 'cancel_order', status: 'started', detail: '', at: '' }],
        }),
      ),
    ).toBe(false);
  });

  it('rests once nothing happens without someone acting', () => {
    expect(isResting(order({ status: 'pending' }))).toBe(false);
    expect(isResting(order({ status: 'confirmed' }))).toBe(true);
    expect(isResting(order({ status: 'cancelled' }))).toBe(true);
    expect(
      isResting(
        order({
          status: 'confirmed',
          steps: [{ step: 'cancel_order', status: 'started', detail: '', at: '' }],
        }),
      ),
    ).toBe(false);
  });
});
