import { exponentialBackoff, fullJitterBackoff } from './backoff';

describe('exponentialBackoff', () => {
  it('doubles from the base and stops at the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => exponentialBackoff(n, 100, 2_000))).toEqual([
      100, 200, 400, 800, 1_600, 2_000, 2_000,
    ]);
    expect(exponentialBackoff(-3, 100, 2_000)).toBe(100);
    expect(exponentialBackoff(10_000, 100, 2_000)).toBe(2_000);
  });
});

describe('fullJitterBackoff', () => {
  it('stays within [0, min(cap, base·2^attempt))', () => {
    expect(fullJitterBackoff(0, 100, 2_000, () => 0.999)).toBe(99);
    expect(fullJitterBackoff(3, 100, 2_000, () => 0.999)).toBe(799);
    expect(fullJitterBackoff(3, 100, 2_000, () => 0.5)).toBe(400);
    expect(fullJitterBackoff(10, 100, 2_000, () => 0.999)).toBe(1_998);
    expect(fullJitterBackoff(10, 100, 2_000, () => 0)).toBe(0);
  });

  it('spreads delays across the whole range, as integers', () => {
    const delays = Array.from({ length: 500 }, () => fullJitterBackoff(4, 100, 10_000));
    expect(Math.min(...delays)).toBeLessThan(200);
    expect(Math.max(...delays)).toBeGreaterThan(1_400);
    expect(delays.every((d) => d >= 0 && d < 1_600 && Number.isInteger(d))).toBe(true);
    for (let attempt = 0; attempt <= 12; attempt++) {
      for (let i = 0; i < 100; i++) {
        const delay = fullJitterBackoff(attempt, 100, 2_000);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(Math.min(2_000, 100 * 2 ** attempt));
      }
    }
  });
});
