import { setTimeout as delay } from 'node:timers/promises';

/** What ConfigureTestControls sets (ordermesh.payment.v1.TestControls). */
export interface TestControls {
  declineMethods: string[];
  latencyMs: number;
  errorRateBps: number;
}

export const NO_TEST_CONTROLS: TestControls = { declineMethods: [], latencyMs: 0, errorRateBps: 0 };

/** Reason of every decline caused by the test controls (see TestControls in payment.proto). */
export const TEST_DECLINE_REASON = 'declined_by_test_control';
/** With test controls on, methods with this prefix always decline (e.g. `declined_card`). */
export const DECLINED_METHOD_PREFIX = 'declined';

export const MAX_TEST_LATENCY_MS = 60_000;
export const MAX_DECLINE_METHODS = 100;

/** The simulated provider is unreachable: the caller may retry (nothing was written). */
export class ProviderUnavailableError extends Error {
  override readonly name = 'ProviderUnavailableError';
}

export class TestControlsDisabledError extends Error {
  override readonly name = 'TestControlsDisabledError';
}

export type AuthorizationDecision = { approved: true } | { approved: false; reason: string };

/** Problems of a ConfigureTestControls request (empty = valid). */
export function testControlsProblems(controls: TestControls): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(controls.latencyMs) || controls.latencyMs < 0) {
    problems.push('latency_ms must be a non-negative integer');
  } else if (controls.latencyMs > MAX_TEST_LATENCY_MS) {
    problems.push(`latency_ms must be at most ${MAX_TEST_LATENCY_MS}`);
  }
  if (
    !Number.isInteger(controls.errorRateBps) ||
    controls.errorRateBps < 0 ||
    controls.errorRateBps > 10_000
  ) {
    problems.push('error_rate_bps must be an integer in 0..10000');
  }
  if (controls.declineMethods.length > MAX_DECLINE_METHODS) {
    problems.push(`at most ${MAX_DECLINE_METHODS} decline_methods`);
  }
  if (controls.declineMethods.some((m) => !m.trim() || m.length > 64)) {
    problems.push('decline_methods entries must be 1 to 64 characters');
  }
  return problems;
}

/** The authorization decision for a payment method under the given controls. */
export function decide(
  paymentMethod: string,
  controls: TestControls | undefined,
): AuthorizationDecision {
  if (!controls) return { approved: true };
  if (
    paymentMethod.startsWith(DECLINED_METHOD_PREFIX) ||
    controls.declineMethods.includes(paymentMethod)
  ) {
    return { approved: false, reason: TEST_DECLINE_REASON };
  }
  return { approved: true };
}

/**
 * The payment provider, simulated: it approves everything unless test controls are enabled
 * (PAYMENT_TEST_CONTROLS, test profile only), in which case they decide declines, add latency
 * and fail a share of calls with ProviderUnavailableError. Every effect happens before the
 * service writes anything, so a failed call can be retried safely. Controls live in memory (one
 * replica per test platform).
 */
export class SimulatedProvider {
  private controls: TestControls;

  constructor(
    readonly testControlsEnabled: boolean,
    initial: TestControls = NO_TEST_CONTROLS,
    private readonly random: () => number = Math.random,
    private readonly sleep: (ms: number) => Promise<unknown> = (ms) => delay(ms),
  ) {
    this.controls = normalise(initial);
  }

  /** The current controls (all zero when disabled). */
  current(): TestControls {
    return this.testControlsEnabled
      ? { ...this.controls, declineMethods: [...this.controls.declineMethods] }
      : { ...NO_TEST_CONTROLS };
  }

  /** Replaces the controls; throws TestControlsDisabledError unless enabled. Validate first. */
  configure(next: TestControls): TestControls {
    if (!this.testControlsEnabled) {
      throw new TestControlsDisabledError(
        'test controls are disabled (PAYMENT_TEST_CONTROLS is not enabled)',
      );
    }
    this.controls = normalise(next);
    return this.current();
  }

  async authorize(paymentMethod: string): Promise<AuthorizationDecision> {
    await this.call('authorize');
    return decide(paymentMethod, this.testControlsEnabled ? this.controls : undefined);
  }

  async capture(): Promise<void> {
    await this.call('capture');
  }

  private async call(operation: string): Promise<void> {
    if (!this.testControlsEnabled) return;
    const { latencyMs, errorRateBps } = this.controls;
    if (latencyMs > 0) await this.sleep(latencyMs);
    if (errorRateBps > 0 && this.random() * 10_000 < errorRateBps) {
      throw new ProviderUnavailableError(`simulated provider unavailable (${operation})`);
    }
  }
}

function normalise(controls: TestControls): TestControls {
  return {
    declineMethods: [...new Set(controls.declineMethods.map((m) => m.trim()).filter(Boolean))],
    latencyMs: controls.latencyMs,
    errorRateBps: controls.errorRateBps,
  };
}
