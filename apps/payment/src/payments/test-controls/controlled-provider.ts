import { setTimeout as delay } from 'node:timers/promises';
import {
  type AuthorizationDecision,
  InvalidTestControlsError,
  NO_TEST_CONTROLS,
  type PaymentProvider,
  ProviderUnavailableError,
  type TestControls,
} from '../provider';

// Test profile only: payments.module.ts requires this file when PAYMENT_TEST_CONTROLS is on, and
// nothing else imports it (eslint: no-restricted-imports).

/** Reason of every decline caused by the test controls (see TestControls in payment.proto). */
export const TEST_DECLINE_REASON = 'declined_by_test_control';
/** With test controls on, methods with this prefix always decline (e.g. `declined_card`). */
export const DECLINED_METHOD_PREFIX = 'declined';

export const MAX_TEST_LATENCY_MS = 60_000;
export const MAX_DECLINE_METHODS = 100;

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
export function decide(paymentMethod: string, controls: TestControls): AuthorizationDecision {
  if (
    paymentMethod.startsWith(DECLINED_METHOD_PREFIX) ||
    controls.declineMethods.includes(paymentMethod)
  ) {
    return { approved: false, reason: TEST_DECLINE_REASON };
  }
  return { approved: true };
}

/**
 * The test profile's provider: its controls decide declines, add latency and fail a share of
 * calls with ProviderUnavailableError. Every effect happens before the service writes anything,
 * so a failed call can be retried safely. Controls live in memory (one replica per test platform).
 */
export class ControlledProvider implements PaymentProvider {
  private controls: TestControls;
  readonly testControls = { configure: (next: TestControls) => this.configure(next) };

  constructor(
    initial: TestControls = NO_TEST_CONTROLS,
    private readonly random: () => number = Math.random,
    private readonly sleep: (ms: number) => Promise<unknown> = (ms) => delay(ms),
  ) {
    this.controls = normalise(initial);
  }

  /** The current controls. */
  current(): TestControls {
    return { ...this.controls, declineMethods: [...this.controls.declineMethods] };
  }

  /** Validates and replaces the controls; returns what is now set. */
  configure(next: TestControls): TestControls {
    const problems = testControlsProblems(next);
    if (problems.length) throw new InvalidTestControlsError(problems);
    this.controls = normalise(next);
    return this.current();
  }

  async authorize(paymentMethod: string): Promise<AuthorizationDecision> {
    await this.call('authorize');
    return decide(paymentMethod, this.controls);
  }

  async capture(): Promise<void> {
    await this.call('capture');
  }

  private async call(operation: string): Promise<void> {
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
