import { PollingLoop, type PollRoundResult } from './polling-loop';

describe('PollingLoop', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** A loop whose rounds answer from `script` (the last answer repeats); counts its rounds. */
  function loopOf(
    script: (PollRoundResult | Error)[],
    options: Partial<ConstructorParameters<typeof PollingLoop>[1]> = {},
  ) {
    const calls = { rounds: 0 };
    const failures: [string, number, number][] = [];
    const loop = new PollingLoop(
      async () => {
        const answer = script[Math.min(calls.rounds, script.length - 1)]!;
        calls.rounds += 1;
        if (answer instanceof Error) throw answer;
        return answer;
      },
      {
        intervalMs: 100,
        maxBackoffMs: 500,
        onFailure: (error, count, retryInMs) =>
          failures.push([(error as Error).message, count, retryInMs]),
        ...options,
      },
    );
    return { loop, calls, failures };
  }

  it('runs a round at once, then one per interval while there is work', async () => {
    const { loop, calls } = loopOf([{}]);
    loop.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(calls.rounds).toBe(1);
    await jest.advanceTimersByTimeAsync(99);
    expect(calls.rounds).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls.rounds).toBe(2);
    await loop.stop();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(calls.rounds).toBe(2);
  });

  it('runs again at once after a round with more work', async () => {
    const { loop, calls } = loopOf([{ more: true }, { more: true }, {}]);
    loop.start();
    // "at once" is a zero-delay timer (which Node runs after 1 ms)
    await jest.advanceTimersByTimeAsync(5);
    expect(calls.rounds).toBe(3);
    await jest.advanceTimersByTimeAsync(90);
    expect(calls.rounds).toBe(3);
    await loop.stop();
  });

  it('waits longer after each idle round (up to idleMaxMs) and at the interval again once nudged', async () => {
    const { loop, calls } = loopOf([{ idle: true }], { idleMaxMs: 400 });
    loop.start();
    await jest.advanceTimersByTimeAsync(0);
    for (const [wait, total] of [
      [100, 2],
      [200, 3],
      [400, 4],
      [400, 5],
    ] as const) {
      await jest.advanceTimersByTimeAsync(wait - 1);
      expect(calls.rounds).toBe(total - 1);
      await jest.advanceTimersByTimeAsync(1);
      expect(calls.rounds).toBe(total);
    }
    loop.nudge();
    await jest.advanceTimersByTimeAsync(0);
    expect(calls.rounds).toBe(6);
    await jest.advanceTimersByTimeAsync(100);
    expect(calls.rounds).toBe(7);
    await loop.stop();
  });

  it('a nudge during a round runs the next one right after it', async () => {
    let release: () => void = () => undefined;
    let rounds = 0;
    const loop = new PollingLoop(
      async () => {
        rounds += 1;
        if (rounds === 1) await new Promise<void>((resolve) => (release = resolve));
        return {};
      },
      { intervalMs: 1_000, maxBackoffMs: 5_000 },
    );
    loop.start();
    await jest.advanceTimersByTimeAsync(0);
    loop.nudge();
    release();
    await jest.advanceTimersByTimeAsync(0);
    expect(rounds).toBe(2);
    await loop.stop();
  });

  it('backs off exponentially (capped) while rounds fail, ignores nudges meanwhile, logs sparingly and recovers', async () => {
    const down = new Error('database down');
    const recovered: number[] = [];
    const { loop, calls, failures } = loopOf([...Array<Error>(12).fill(down), {}], {
      onRecovered: (count) => recovered.push(count),
    });
    loop.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(calls.rounds).toBe(1);
    loop.nudge();
    await jest.advanceTimersByTimeAsync(99);
    expect(calls.rounds).toBe(1);
    for (const [wait, total] of [
      [1, 2], // 100 ms after failure 1
      [200, 3],
      [400, 4],
      [500, 5], // capped
      [500, 6],
    ] as const) {
      await jest.advanceTimersByTimeAsync(wait);
      expect(calls.rounds).toBe(total);
    }
    expect(loop.failures).toBe(6);
    await jest.advanceTimersByTimeAsync(500 * 7);
    expect(calls.rounds).toBe(13);
    expect(loop.failures).toBe(0);
    expect(recovered).toEqual([12]);
    // failures 1-3 and 10 are reported, with the wait before the next round
    expect(failures).toEqual([
      ['database down', 1, 100],
      ['database down', 2, 200],
      ['database down', 3, 400],
      ['database down', 10, 500],
    ]);
    await loop.stop();
  });

  it('stop waits for the round in flight and schedules nothing after it', async () => {
    let release: () => void = () => undefined;
    let rounds = 0;
    const loop = new PollingLoop(
      async () => {
        rounds += 1;
        await new Promise<void>((resolve) => (release = resolve));
        return { more: true };
      },
      { intervalMs: 100, maxBackoffMs: 500 },
    );
    loop.start();
    await jest.advanceTimersByTimeAsync(0);
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    release();
    await stopping;
    await jest.advanceTimersByTimeAsync(1_000);
    expect(rounds).toBe(1);
  });
});
