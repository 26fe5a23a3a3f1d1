import type { PlaceOrderRequest } from '@ordermesh/contracts';
import { requestHash, validatePlaceOrder, type ValidPlaceOrder } from './validation';

const CUSTOMER = '0b7e3b0a-4a4c-4a55-8c0c-4b8f5f0e9b02';
const P1 = 'd7b9a0e2-5c55-4f6e-9a1f-2f0d9e6a7c03';
const P2 = '3a9e8b7c-1d2e-4f3a-8b4c-5d6e7f8a9b04';

const request = (overrides: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest => ({
  customerId: CUSTOMER,
  idempotencyKey: 'key-12345678',
  items: [{ productId: P1, quantity: 2 }],
  paymentMethod: 'card',
  shippingAddress: null,
  ...overrides,
});

const problems = (overrides: Partial<PlaceOrderRequest>) => {
  const result = validatePlaceOrder(request(overrides));
  return result.ok ? [] : result.problems;
};

const valid = (overrides: Partial<PlaceOrderRequest> = {}): ValidPlaceOrder => {
  const result = validatePlaceOrder(request(overrides));
  if (!result.ok) throw new Error(result.problems.join('; '));
  return result.value;
};

describe('validatePlaceOrder', () => {
  it('accepts a well-formed request', () => {
    expect(valid()).toEqual({
      customerId: CUSTOMER,
      idempotencyKey: 'key-12345678',
      items: [{ productId: P1, quantity: 2 }],
      paymentMethod: 'card',
      shippingAddress: null,
    });
  });

  it.each([
    [{ items: [] }, 'items must contain 1 to 50 entries'],
    [
      { items: Array.from({ length: 51 }, () => ({ productId: P1, quantity: 1 })) },
      'items must contain 1 to 50 entries',
    ],
    [{ items: [{ productId: P1, quantity: 0 }] }, 'items[0].quantity'],
    [{ items: [{ productId: P1, quantity: 1001 }] }, 'items[0].quantity'],
    [{ items: [{ productId: P1, quantity: 1.5 }] }, 'items[0].quantity'],
    [{ items: [{ productId: 'nope', quantity: 1 }] }, 'items[0].product_id must be a UUID'],
    [{ customerId: '' }, 'customer_id must be a UUID'],
    [{ idempotencyKey: 'short' }, 'idempotency_key'],
    [{ idempotencyKey: 'x'.repeat(129) }, 'idempotency_key'],
    [{ idempotencyKey: 'has spaces in it' }, 'idempotency_key'],
    [{ paymentMethod: '' }, 'payment_method'],
    [{ paymentMethod: 'Card!' }, 'payment_method'],
  ])('rejects %j', (overrides, expected) => {
    expect(problems(overrides as Partial<PlaceOrderRequest>).join('; ')).toContain(expected);
  });

  it('accepts the bounds: 50 items, quantity 1000, keys of 8 and 128 characters', () => {
    expect(problems({ items: [{ productId: P1, quantity: 1000 }] })).toEqual([]);
    expect(problems({ idempotencyKey: 'a'.repeat(8) })).toEqual([]);
    expect(problems({ idempotencyKey: 'a'.repeat(128) })).toEqual([]);
    const fifty = Array.from({ length: 50 }, (_, i) => ({
      productId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      quantity: 1,
    }));
    expect(problems({ items: fifty })).toEqual([]);
  });

  it('merges duplicate products, keeping the first position, and checks the merged quantity', () => {
    expect(
      valid({
        items: [
          { productId: P2, quantity: 1 },
          { productId: P1, quantity: 2 },
          { productId: P2, quantity: 3 },
        ],
      }).items,
    ).toEqual([
      { productId: P2, quantity: 4 },
      { productId: P1, quantity: 2 },
    ]);
    expect(
      problems({
        items: [
          { productId: P1, quantity: 600 },
          { productId: P1, quantity: 600 },
        ],
      }).join(),
    ).toContain('exceeds 1000');
  });

  it('checks a given shipping address', () => {
    const address = {
      recipientName: 'Ada',
      line1: 'Hauptstr. 1',
      line2: '',
      city: 'Berlin',
      region: '',
      postalCode: '10115',
      countryCode: 'DE',
    };
    expect(problems({ shippingAddress: address })).toEqual([]);
    expect(problems({ shippingAddress: { ...address, countryCode: 'de' } }).join()).toContain(
      'country_code',
    );
    expect(problems({ shippingAddress: { ...address, city: ' ' } }).join()).toContain('city');
    // PostgreSQL refuses NUL in text: INVALID_ARGUMENT here, never a failed INSERT.
    for (const field of ['recipientName', 'line1', 'line2', 'city', 'region', 'postalCode']) {
      expect(problems({ shippingAddress: { ...address, [field]: 'a\u0000b' } }).join()).toMatch(
        /control characters/,
      );
    }
  });

  it('lists every problem at once', () => {
    expect(problems({ customerId: 'x', paymentMethod: '', items: [] })).toHaveLength(3);
  });
});

describe('requestHash', () => {
  it('is stable for the same request spelled differently', () => {
    const a = valid({
      items: [
        { productId: P1, quantity: 1 },
        { productId: P2, quantity: 2 },
        { productId: P1, quantity: 1 },
      ],
    });
    const b = valid({
      items: [
        { productId: P2, quantity: 2 },
        { productId: P1, quantity: 2 },
      ],
    });
    expect(requestHash(a)).toBe(requestHash(b));
    expect(requestHash(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with anything the request asks for', () => {
    const base = requestHash(valid());
    expect(requestHash(valid({ items: [{ productId: P1, quantity: 3 }] }))).not.toBe(base);
    expect(requestHash(valid({ items: [{ productId: P2, quantity: 2 }] }))).not.toBe(base);
    expect(requestHash(valid({ paymentMethod: 'declined_card' }))).not.toBe(base);
    expect(
      requestHash(
        valid({
          shippingAddress: {
            recipientName: 'Ada',
            line1: 'x',
            line2: '',
            city: 'Berlin',
            region: '',
            postalCode: '1',
            countryCode: 'DE',
          },
        }),
      ),
    ).not.toBe(base);
  });

  it('does not depend on the idempotency key itself', () => {
    expect(requestHash(valid({ idempotencyKey: 'another-key-1' }))).toBe(requestHash(valid()));
  });
});
