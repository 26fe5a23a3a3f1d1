import { PER_ACCOUNT, PER_ACCOUNT_AND_ADDRESS, loginDelayMs, waitMs } from './login-throttle';

describe('login delays', () => {
  it('lets the first failures through without delay, then doubles the delay', () => {
    const delays = Array.from({ length: 9 }, (_, failures) =>
      loginDelayMs(failures, PER_ACCOUNT_AND_ADDRESS),
    );
    expect(delays).toEqual([0, 0, 0, 0, 0, 1_000, 2_000, 4_000, 8_000]);
  });

  it('caps the delay of one address at 15 minutes', () => {
    expect(loginDelayMs(1_000, PER_ACCOUNT_AND_ADDRESS)).toBe(15 * 60_000);
  });

  it('never locks an account: failures from anywhere delay it by a minute at most', () => {
    expect(loginDelayMs(19, PER_ACCOUNT)).toBe(0);
    expect(loginDelayMs(20, PER_ACCOUNT)).toBe(1_000);
    for (const failures of [30, 100, 1e6]) expect(loginDelayMs(failures, PER_ACCOUNT)).toBe(60_000);
  });

  it('waits for the longest delay still running', () => {
    const now = 1_000_000;
    expect(
      waitMs(
        [
          { failures: 7, lastFailureAt: now - 1_000, policy: PER_ACCOUNT_AND_ADDRESS },
          { failures: 7, lastFailureAt: now - 1_000, policy: PER_ACCOUNT },
        ],
        now,
      ),
    ).toBe(3_000);
    expect(
      waitMs([{ failures: 7, lastFailureAt: now - 5_000, policy: PER_ACCOUNT_AND_ADDRESS }], now),
    ).toBe(0);
    expect(waitMs([{ failures: 0, lastFailureAt: 0, policy: PER_ACCOUNT }], now)).toBe(0);
  });
});
