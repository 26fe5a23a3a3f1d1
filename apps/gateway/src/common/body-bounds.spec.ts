import { DEFAULT_BODY_BOUNDS, boundsProblem } from './body-bounds';

const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
};

describe('body bounds', () => {
  it('accepts every body the API takes', () => {
    const order = {
      items: [{ productId: '6f1c1f0e-0000-4000-8000-000000000000', quantity: 1 }],
      paymentMethod: 'card',
      shippingAddress: {
        recipientName: 'Ada',
        line1: 'x',
        city: 'Berlin',
        postalCode: '1',
        countryCode: 'DE',
      },
    };
    expect(boundsProblem(order, DEFAULT_BODY_BOUNDS)).toBeUndefined();
    expect(boundsProblem({ description: 'd'.repeat(5_000) }, DEFAULT_BODY_BOUNDS)).toBeUndefined();
    expect(boundsProblem(undefined, DEFAULT_BODY_BOUNDS)).toBeUndefined();
  });

  it('refuses nesting thousands deep without recursing', () => {
    expect(boundsProblem(nested(8), DEFAULT_BODY_BOUNDS)).toBeUndefined();
    expect(boundsProblem(nested(9), DEFAULT_BODY_BOUNDS)).toMatch(/nested deeper than 8/);
    expect(
      boundsProblem(JSON.parse('['.repeat(50_000) + ']'.repeat(50_000)), DEFAULT_BODY_BOUNDS),
    ).toMatch(/nested deeper/);
  });

  it('refuses too many keys or elements, long strings and NUL in strings or keys', () => {
    const wide = Object.fromEntries(Array.from({ length: 1_001 }, (_, i) => [`k${i}`, i]));
    expect(boundsProblem(wide, DEFAULT_BODY_BOUNDS)).toMatch(/more than 1000 entries/);
    expect(boundsProblem({ a: Array(1_001).fill(0) }, DEFAULT_BODY_BOUNDS)).toMatch(/entries/);
    expect(boundsProblem({ a: 'x'.repeat(10_001) }, DEFAULT_BODY_BOUNDS)).toMatch(/longer than/);
    expect(boundsProblem({ name: 'Ad\u0000a' }, DEFAULT_BODY_BOUNDS)).toMatch(/NUL/);
    expect(boundsProblem({ 'k\u0000': 'v' }, DEFAULT_BODY_BOUNDS)).toMatch(/NUL/);
    expect(boundsProblem({ pageToken: ['\u0000'] }, DEFAULT_BODY_BOUNDS)).toMatch(/NUL/);
  });
});
