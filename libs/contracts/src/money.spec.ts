import { applyDiscountBps, money } from './money';

describe('money', () => {
  it('applies discounts rounding half up', () => {
    expect(applyDiscountBps(2000, 1000)).toBe(1800);
    expect(applyDiscountBps(1999, 250)).toBe(1949); // 1949.025
    expect(applyDiscountBps(10, 500)).toBe(10); // 9.5 -> 10
    expect(applyDiscountBps(1999, 0)).toBe(1999);
    expect(applyDiscountBps(1999, 10_000)).toBe(0);
    expect(applyDiscountBps(Number.MAX_SAFE_INTEGER, 0)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('rejects invalid input', () => {
    expect(() => applyDiscountBps(-1, 0)).toThrow(RangeError);
    expect(() => applyDiscountBps(1.5, 0)).toThrow(RangeError);
    expect(() => applyDiscountBps(100, 10_001)).toThrow(RangeError);
    expect(() => money(0.1, 'EUR')).toThrow(RangeError);
    expect(money(199, 'EUR')).toEqual({ amountMinor: 199, currency: 'EUR' });
  });
});
