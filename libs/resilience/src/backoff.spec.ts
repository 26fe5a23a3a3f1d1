import { fullJitterBackoff } from './backoff';

describe('fullJitterBackoff', () => {
  it('stays within [0, min(cap, base·2^attempt))', () => {
    expect(fullJitterBackoff(0, 100, 2_000, () => 0.999)).toBe(99);
    expect(fullJitterBackoff(3, 100, 2_000, () => 0.999)).toBe(799);
    expect(fullJitterBackoff(10, 100, 2_000, () => 0.999)).toBe(1_998);
    expect(fullJitterBackoff(10, 100, 2_000, () => 0)).toBe(0);
  });

  it('spreads delays across the whole range', () => {
    const delays = Array.from({ length: 500 }, () => fullJitterBackoff(4, 100, 10_000));
    expect(Math.min(...delays)).toBeLessThan(200);
    expect(Math.max(...delays)).toBeGreaterThan(1_400);
    expect(delays.every((d) => d >= 0 && d < 1_600)).toBe(true);
  });
});
