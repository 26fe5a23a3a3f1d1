import { exponentialDelay, fullJitterDelay } from './backoff';

describe('backoff', () => {
  const policy = { baseMs: 100, capMs: 2_000 };

  it('doubles from the base and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => exponentialDelay(n, policy))).toEqual([
      100, 200, 400, 800, 1_600, 2_000, 2_000,
    ]);
    expect(exponentialDelay(0, policy)).toBe(100);
    expect(exponentialDelay(10_000, policy)).toBe(2_000);
  });

  it('jitters uniformly between 0 and the exponential delay', () => {
    expect(fullJitterDelay(3, policy, () => 0)).toBe(0);
    expect(fullJitterDelay(3, policy, () => 0.5)).toBe(200);
    expect(fullJitterDelay(3, policy, () => 0.999_999)).toBe(399);
    for (let attempt = 1; attempt <= 12; attempt++) {
      for (let i = 0; i < 200; i++) {
        const delay = fullJitterDelay(attempt, policy);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(Math.min(2_000, 100 * 2 ** (attempt - 1)));
        expect(Number.isInteger(delay)).toBe(true);
      }
    }
  });
});
