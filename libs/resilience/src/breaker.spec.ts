import { CallRejectedError, DownstreamBreaker, type BreakerState } from './breaker';

const unavailable = Object.assign(new Error('UNAVAILABLE'), { failure: true });
const notFound = new Error('NOT_FOUND');
const isFailure = (error: unknown) => (error as { failure?: boolean }).failure === true;
const fail = () => Promise.reject(unavailable);
const ok = () => Promise.resolve('ok');

describe('DownstreamBreaker', () => {
  let breaker: DownstreamBreaker;
  const states: BreakerState[] = [];
  afterEach(() => breaker.shutdown());

  function make(options: Partial<ConstructorParameters<typeof DownstreamBreaker>[1]> = {}) {
    states.length = 0;
    breaker = new DownstreamBreaker('payment', {
      volumeThreshold: 5,
      errorThresholdPercentage: 50,
      resetTimeoutMs: 50,
      isFailure,
      onStateChange: (state) => states.push(state),
      ...options,
    });
  }

  it('does not open on one early failure (minimum call volume)', async () => {
    make();
    await expect(breaker.run(fail)).rejects.toBe(unavailable);
    expect(breaker.state).toBe('closed');
  });

  it('opens once the volume and error rate are reached, then fails fast', async () => {
    make();
    for (let i = 0; i < 5; i++) await breaker.run(fail).catch(() => undefined);
    expect(breaker.state).toBe('open');
    const rejected = await breaker.run(ok).catch((error: unknown) => error);
    expect(rejected).toBeInstanceOf(CallRejectedError);
    expect((rejected as CallRejectedError).reason).toBe('breaker_open');
    expect(states).toEqual(['open']);
  });

  it('does not count business errors as failures', async () => {
    make();
    for (let i = 0; i < 10; i++)
      await breaker.run(() => Promise.reject(notFound)).catch(() => undefined);
    expect(breaker.state).toBe('closed');
  });

  it('lets exactly one half-open probe through and closes when it succeeds', async () => {
    make();
    for (let i = 0; i < 5; i++) await breaker.run(fail).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(breaker.state).toBe('half_open');
    let release: (value: string) => void = () => undefined;
    const probe = breaker.run(() => new Promise<string>((resolve) => (release = resolve)));
    const second = await breaker.run(ok).catch((error: unknown) => error);
    expect(second).toBeInstanceOf(CallRejectedError);
    release('ok');
    await expect(probe).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'half_open', 'closed']);
  });

  it('rejects calls beyond its bulkhead capacity at once', async () => {
    make({ capacity: 2 });
    const hang = () => new Promise<string>(() => undefined);
    void breaker.run(hang);
    void breaker.run(hang);
    const third = await breaker.run(ok).catch((error: unknown) => error);
    expect(third).toBeInstanceOf(CallRejectedError);
    expect((third as CallRejectedError).reason).toBe('bulkhead_full');
  });

  it('refuses calls after shutdown as a rejection, not as an unexpected error', async () => {
    make();
    breaker.shutdown();
    const refused = await breaker.run(ok).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CallRejectedError);
    expect((refused as CallRejectedError).reason).toBe('shut_down');
  });
});
