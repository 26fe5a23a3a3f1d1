import CircuitBreaker from 'opossum';

export type BreakerState = 'closed' | 'half_open' | 'open';

export interface BreakerOptions {
  /** Calls in the rolling window before the breaker may open (opossum's default, 0, lets one early failure open it). */
  volumeThreshold?: number;
  errorThresholdPercentage?: number;
  rollingWindowMs?: number;
  /** How long the breaker stays open before one half-open probe is let through. */
  resetTimeoutMs?: number;
  /** Bulkhead: concurrent calls allowed to the downstream; more are rejected at once. */
  capacity?: number;
  /** Which errors count against the downstream's health (not: NOT_FOUND, INVALID_ARGUMENT, …). */
  isFailure: (error: unknown) => boolean;
  onStateChange?: (state: BreakerState) => void;
}

export type RejectionReason = 'breaker_open' | 'bulkhead_full' | 'shut_down';

const REJECTION_MESSAGES: Record<RejectionReason, string> = {
  breaker_open: 'is unavailable (circuit open)',
  bulkhead_full: 'is busy (too many concurrent calls)',
  shut_down: 'is not called any more (this process is shutting down)',
};

/**
 * Raised without calling the downstream: its breaker is open, its bulkhead is full, or the breaker
 * was shut down (the process is stopping). Callers treat it as the downstream being unavailable.
 */
export class CallRejectedError extends Error {
  constructor(
    readonly reason: RejectionReason,
    readonly target: string,
    readonly retryAfterMs: number,
  ) {
    super(`${target} ${REJECTION_MESSAGES[reason]}`);
    this.name = 'CallRejectedError';
  }
}

type Action = () => Promise<unknown>;

/**
 * A circuit breaker plus bulkhead for one downstream (opossum). Timeouts are not opossum's: every
 * call carries a gRPC deadline, which really cancels it at the transport; a DEADLINE_EXCEEDED
 * counts as a failure here.
 */
export class DownstreamBreaker {
  private readonly breaker: CircuitBreaker<[Action], unknown>;
  private readonly resetTimeoutMs: number;

  constructor(
    readonly target: string,
    options: BreakerOptions,
  ) {
    this.resetTimeoutMs = options.resetTimeoutMs ?? 5_000;
    this.breaker = new CircuitBreaker((action: Action) => action(), {
      timeout: false,
      volumeThreshold: options.volumeThreshold ?? 10,
      errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
      rollingCountTimeout: options.rollingWindowMs ?? 10_000,
      resetTimeout: this.resetTimeoutMs,
      capacity: options.capacity ?? 64,
      // opossum's errorFilter returns true for errors that must NOT count as failures.
      errorFilter: (error: unknown) => !options.isFailure(error),
    });
    const emit = (state: BreakerState) => () => options.onStateChange?.(state);
    this.breaker.on('open', emit('open'));
    this.breaker.on('halfOpen', emit('half_open'));
    this.breaker.on('close', emit('closed'));
  }

  get state(): BreakerState {
    if (this.breaker.opened) return 'open';
    if (this.breaker.halfOpen) return 'half_open';
    return 'closed';
  }

  async run<T>(action: () => Promise<T>): Promise<T> {
    try {
      return (await this.breaker.fire(action)) as T;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'EOPENBREAKER') {
        throw new CallRejectedError('breaker_open', this.target, this.resetTimeoutMs);
      }
      if (code === 'ESEMLOCKED') throw new CallRejectedError('bulkhead_full', this.target, 1_000);
      // opossum refuses every call after shutdown(): an UNAVAILABLE, never an internal error.
      if (code === 'ESHUTDOWN') throw new CallRejectedError('shut_down', this.target, 1_000);
      throw error;
    }
  }

  /**
   * Closes an open (or half-open) breaker at once, before its reset timeout: for a caller that
   * knows the downstream is back (GrpcClient: its channel reconnected).
   */
  close(): void {
    if (this.breaker.opened || this.breaker.halfOpen) this.breaker.close();
  }

  shutdown(): void {
    this.breaker.shutdown();
  }
}
