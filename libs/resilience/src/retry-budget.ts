/**
 * Caps retries at a fraction of the requests (plus a small floor), so that during an outage
 * retries cannot multiply the load on a struggling dependency (the gRPC/Finagle retry budget).
 * A token bucket: each request deposits `ratio` tokens, time deposits `minPerSecond`, a retry
 * withdraws one.
 */
export class RetryBudget {
  private tokens: number;
  private lastRefill: number;

  constructor(
    private readonly options: { ratio: number; minPerSecond: number; maxTokens: number } = {
      ratio: 0.2,
      minPerSecond: 5,
      maxTokens: 50,
    },
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = options.maxTokens;
    this.lastRefill = now();
  }

  recordRequest(): void {
    this.refill();
    this.tokens = Math.min(this.options.maxTokens, this.tokens + this.options.ratio);
  }

  tryAcquire(): boolean {
    this.refill();
    // A tolerance for the fractional deposits (0.2 × 5 is 0.999… in floating point).
    if (this.tokens < 1 - 1e-9) return false;
    this.tokens = Math.max(0, this.tokens - 1);
    return true;
  }

  private refill(): void {
    const now = this.now();
    const elapsed = (now - this.lastRefill) / 1000;
    this.lastRefill = now;
    this.tokens = Math.min(
      this.options.maxTokens,
      this.tokens + elapsed * this.options.minPerSecond,
    );
  }
}
