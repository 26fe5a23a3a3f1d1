/**
 * The payment provider the service asks before it writes anything. This platform has no real
 * acquirer: in production the provider approves every authorization and capture. The test
 * profile (PAYMENT_TEST_CONTROLS) swaps in the controllable provider of ./test-controls, which
 * payments.module.ts loads only then, so no production path imports it.
 */

/** What ConfigureTestControls sets (ordermesh.payment.v1.TestControls). */
export interface TestControls {
  declineMethods: string[];
  latencyMs: number;
  errorRateBps: number;
}

export const NO_TEST_CONTROLS: TestControls = { declineMethods: [], latencyMs: 0, errorRateBps: 0 };

export type AuthorizationDecision = { approved: true } | { approved: false; reason: string };

/** The provider is unreachable: the caller may retry (nothing was written). */
export class ProviderUnavailableError extends Error {
  override readonly name = 'ProviderUnavailableError';
}

/** A ConfigureTestControls request that names impossible controls. */
export class InvalidTestControlsError extends Error {
  override readonly name = 'InvalidTestControlsError';
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

export interface PaymentProvider {
  authorize(paymentMethod: string): Promise<AuthorizationDecision>;
  capture(): Promise<void>;
  /** Present only on the test profile's provider. */
  readonly testControls?: {
    /** Validates and replaces the controls (InvalidTestControlsError); returns what is now set. */
    configure(next: TestControls): TestControls;
  };
}

/** Production: every authorization is approved and every capture succeeds. */
export class ApprovingProvider implements PaymentProvider {
  async authorize(): Promise<AuthorizationDecision> {
    return { approved: true };
  }

  async capture(): Promise<void> {
    // nothing to settle: there is no acquirer behind this provider
  }
}
