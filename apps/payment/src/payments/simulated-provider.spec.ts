import {
  ProviderUnavailableError,
  SimulatedProvider,
  TEST_DECLINE_REASON,
  TestControlsDisabledError,
  decide,
  testControlsProblems,
} from './simulated-provider';

const noSleep = jest.fn(async () => undefined);

describe('SimulatedProvider', () => {
  beforeEach(() => noSleep.mockClear());

  describe('with test controls disabled (the default)', () => {
    const provider = new SimulatedProvider(
      false,
      { declineMethods: ['card'], latencyMs: 500, errorRateBps: 10_000 },
      () => 0,
      noSleep,
    );

    it('approves everything, with no latency and no errors, whatever the initial controls', async () => {
      await expect(provider.authorize('declined_card')).resolves.toEqual({ approved: true });
      await expect(provider.authorize('card')).resolves.toEqual({ approved: true });
      await expect(provider.capture()).resolves.toBeUndefined();
      expect(noSleep).not.toHaveBeenCalled();
    });

    it('refuses to be configured and reports no controls', () => {
      expect(() =>
        provider.configure({ declineMethods: [], latencyMs: 0, errorRateBps: 0 }),
      ).toThrow(TestControlsDisabledError);
      expect(provider.current()).toEqual({ declineMethods: [], latencyMs: 0, errorRateBps: 0 });
    });
  });

  describe('with test controls enabled', () => {
    it('declines methods starting with "declined" and the configured ones', async () => {
      const provider = new SimulatedProvider(true, undefined, () => 0.99, noSleep);
      await expect(provider.authorize('declined_card')).resolves.toEqual({
        approved: false,
        reason: TEST_DECLINE_REASON,
      });
      await expect(provider.authorize('card')).resolves.toEqual({ approved: true });
      provider.configure({ declineMethods: ['card', ' card '], latencyMs: 0, errorRateBps: 0 });
      expect(provider.current().declineMethods).toEqual(['card']);
      await expect(provider.authorize('card')).resolves.toMatchObject({ approved: false });
      await expect(provider.authorize('paypal')).resolves.toEqual({ approved: true });
    });

    it('adds the configured latency to authorize and capture', async () => {
      const provider = new SimulatedProvider(
        true,
        { declineMethods: [], latencyMs: 250, errorRateBps: 0 },
        () => 0.5,
        noSleep,
      );
      await provider.authorize('card');
      await provider.capture();
      expect(noSleep).toHaveBeenCalledTimes(2);
      expect(noSleep).toHaveBeenCalledWith(250);
    });

    it('fails the configured share of calls with ProviderUnavailableError', async () => {
      let next = 0;
      const draws = [0.1, 0.3, 0.2999];
      const provider = new SimulatedProvider(
        true,
        { declineMethods: [], latencyMs: 0, errorRateBps: 3000 },
        () => draws[next++ % draws.length] ?? 0,
        noSleep,
      );
      await expect(provider.authorize('card')).rejects.toBeInstanceOf(ProviderUnavailableError);
      await expect(provider.capture()).resolves.toBeUndefined();
      await expect(provider.capture()).rejects.toBeInstanceOf(ProviderUnavailableError);
    });

    it('an error rate of 0 never fails and 10000 always fails', async () => {
      const never = new SimulatedProvider(true, undefined, () => 0, noSleep);
      await expect(never.capture()).resolves.toBeUndefined();
      never.configure({ declineMethods: [], latencyMs: 0, errorRateBps: 10_000 });
      const always = never;
      await expect(always.capture()).rejects.toBeInstanceOf(ProviderUnavailableError);
    });
  });
});

describe('decide', () => {
  it('approves everything without controls', () => {
    expect(decide('declined_card', undefined)).toEqual({ approved: true });
  });
});

describe('testControlsProblems', () => {
  it('accepts sane values and rejects out-of-range ones', () => {
    expect(
      testControlsProblems({ declineMethods: ['x'], latencyMs: 100, errorRateBps: 10_000 }),
    ).toEqual([]);
    expect(
      testControlsProblems({ declineMethods: [], latencyMs: -1, errorRateBps: 0 }),
    ).toHaveLength(1);
    expect(
      testControlsProblems({ declineMethods: [], latencyMs: 0, errorRateBps: 10_001 }),
    ).toHaveLength(1);
    expect(
      testControlsProblems({ declineMethods: [''], latencyMs: 0, errorRateBps: 0 }),
    ).toHaveLength(1);
    expect(
      testControlsProblems({ declineMethods: [], latencyMs: 60_001, errorRateBps: 0 }),
    ).toHaveLength(1);
  });
});
