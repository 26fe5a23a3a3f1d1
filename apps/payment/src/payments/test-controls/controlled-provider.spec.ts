import { ApprovingProvider, InvalidTestControlsError, ProviderUnavailableError } from '../provider';
import {
  ControlledProvider,
  TEST_DECLINE_REASON,
  decide,
  testControlsProblems,
} from './controlled-provider';

const noSleep = jest.fn(async () => undefined);

describe('ApprovingProvider (production)', () => {
  it('approves everything, with no latency, no errors and no test controls', async () => {
    const provider = new ApprovingProvider();
    await expect(provider.authorize()).resolves.toEqual({ approved: true });
    await expect(provider.capture()).resolves.toBeUndefined();
    expect(provider).not.toHaveProperty('testControls');
  });
});

describe('ControlledProvider (test profile)', () => {
  beforeEach(() => noSleep.mockClear());

  describe('its controls', () => {
    it('declines methods starting with "declined" and the configured ones', async () => {
      const provider = new ControlledProvider(undefined, () => 0.99, noSleep);
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
      const provider = new ControlledProvider(
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
      const provider = new ControlledProvider(
        { declineMethods: [], latencyMs: 0, errorRateBps: 3000 },
        () => draws[next++ % draws.length] ?? 0,
        noSleep,
      );
      await expect(provider.authorize('card')).rejects.toBeInstanceOf(ProviderUnavailableError);
      await expect(provider.capture()).resolves.toBeUndefined();
      await expect(provider.capture()).rejects.toBeInstanceOf(ProviderUnavailableError);
    });

    it('an error rate of 0 never fails and 10000 always fails', async () => {
      const never = new ControlledProvider(undefined, () => 0, noSleep);
      await expect(never.capture()).resolves.toBeUndefined();
      never.configure({ declineMethods: [], latencyMs: 0, errorRateBps: 10_000 });
      const always = never;
      await expect(always.capture()).rejects.toBeInstanceOf(ProviderUnavailableError);
    });
  });
});

describe('decide', () => {
  it('declines the "declined" prefix and the listed methods, approves the rest', () => {
    const controls = { declineMethods: ['paypal'], latencyMs: 0, errorRateBps: 0 };
    expect(decide('declined_card', controls)).toEqual({
      approved: false,
      reason: TEST_DECLINE_REASON,
    });
    expect(decide('paypal', controls)).toMatchObject({ approved: false });
    expect(decide('card', controls)).toEqual({ approved: true });
  });
});

describe('configure', () => {
  it('refuses impossible controls and keeps the current ones', () => {
    const provider = new ControlledProvider({
      declineMethods: ['x'],
      latencyMs: 5,
      errorRateBps: 0,
    });
    expect(() =>
      provider.testControls.configure({ declineMethods: [], latencyMs: -1, errorRateBps: 0 }),
    ).toThrow(InvalidTestControlsError);
    expect(provider.current()).toEqual({ declineMethods: ['x'], latencyMs: 5, errorRateBps: 0 });
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
