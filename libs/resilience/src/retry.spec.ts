import { runWithDeadline } from './deadline';
import { retry } from './retry';
import { RetryBudget } from './retry-budget';

const transient = Object.assign(new Error('unavailable'), { transient: true });
const fatal = new Error('invalid');
const retryable = (error: unknown) => (error as { transient?: boolean }).transient === true;
const noSleep = () => Promise.resolve();

function failing(times: number, error: Error = transient) {
  let calls = 0;
  const fn = jest.fn(async () => {
    calls += 1;
    if (calls <= times) throw error;
    return 'ok';
  });
  return fn;
}

describe('retry', () => {
  it('retries transient failures until one succeeds', async () => {
    const fn = failing(2);
    await expect(
      retry(fn, { attempts: 3, baseMs: 1, capMs: 1, retryable, sleep: noSleep }),
    ).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('gives up after the attempts and rethrows the last error', async () => {
    const fn = failing(5);
    await expect(
      retry(fn, { attempts: 3, baseMs: 1, capMs: 1, retryable, sleep: noSleep }),
    ).rejects.toBe(transient);
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('never retries an error that is not retryable', async () => {
    const fn = failing(1, fatal);
    await expect(
      retry(fn, { attempts: 5, baseMs: 1, capMs: 1, retryable, sleep: noSleep }),
    ).rejects.toBe(fatal);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('stops when the retry budget is spent', async () => {
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 0, maxTokens: 1 }, () => 0);
    const first = failing(1);
    await expect(
      retry(first, { attempts: 3, baseMs: 1, capMs: 1, retryable, budget, sleep: noSleep }),
    ).resolves.toBe('ok');
    const second = failing(1);
    await expect(
      retry(second, { attempts: 3, baseMs: 1, capMs: 1, retryable, budget, sleep: noSleep }),
    ).rejects.toBe(transient);
    expect(second).toHaveBeenCalledTimes(1);
  });

  it('does not wait past the inbound deadline', async () => {
    const fn = failing(5);
    const sleep = jest.fn(noSleep);
    const outcome = await runWithDeadline(Date.now() - 1, () =>
      retry(fn, { attempts: 5, baseMs: 1, capMs: 1, retryable, sleep }).catch(
        (error: unknown) => error,
      ),
    );
    expect(outcome).toBe(transient);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(sleep).not.toHaveBeenCalled();
  });
});

describe('RetryBudget', () => {
  it('allows about ratio × requests retries plus the per-second floor', () => {
    let now = 0;
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 0, maxTokens: 100 }, () => now);
    while (budget.tryAcquire()) {
      /* drain the initial tokens */
    }
    for (let i = 0; i < 50; i++) budget.recordRequest();
    let granted = 0;
    while (budget.tryAcquire()) granted += 1;
    expect(granted).toBe(10);
    now += 1_000;
    expect(budget.tryAcquire()).toBe(false);
  });
});
