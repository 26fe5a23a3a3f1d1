import { exponentialBackoff } from './backoff';

/** What one round found, which decides when the next one runs. */
export interface PollRoundResult {
  /** More work may be waiting (a full batch): poll again at once. */
  more?: boolean;
  /** The round found nothing to do: wait longer next time (doubling up to `idleMaxMs`). */
  idle?: boolean;
}

export interface PollingLoopOptions {
  /** Wait between rounds while there is work. */
  intervalMs: number;
  /** Longest wait of an idle loop; each idle round doubles the wait up to it. Default: intervalMs. */
  idleMaxMs?: number;
  /** First wait after a failed round (doubling per failure). Default: intervalMs (at least 100 ms). */
  backoffBaseMs?: number;
  /** Longest wait while rounds fail. */
  maxBackoffMs: number;
  /**
   * A round failed. Called for the first three failures in a row and every tenth after that, so a
   * dependency that stays down does not flood the log.
   */
  onFailure?: (error: unknown, failures: number, retryInMs: number) => void;
  /** The first successful round after failures. */
  onRecovered?: (failures: number) => void;
}

/**
 * A background loop of rounds over a durable queue (the outbox relay, the saga worker): one round
 * at a time; the next one after `intervalMs`, at once when the round says there is more or when
 * nudged while it ran, later and later while idle, with capped exponential backoff while rounds
 * fail (when a nudge does nothing: hammering a broken dependency helps nobody). Its timers never
 * keep a process alive.
 */
export class PollingLoop {
  private readonly idleMaxMs: number;
  private readonly backoffBaseMs: number;
  private idleDelayMs: number;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private nudged = false;
  private failureCount = 0;

  constructor(
    private readonly round: () => Promise<PollRoundResult>,
    private readonly options: PollingLoopOptions,
  ) {
    this.idleMaxMs = Math.max(options.intervalMs, options.idleMaxMs ?? options.intervalMs);
    this.backoffBaseMs = options.backoffBaseMs ?? Math.max(options.intervalMs, 100);
    this.idleDelayMs = options.intervalMs;
  }

  /** Failed rounds in a row (0 while healthy). */
  get failures(): number {
    return this.failureCount;
  }

  /** Starts with a round at once. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops scheduling rounds and waits for the one in flight. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  /** Runs a round now rather than at the next interval (new work was committed). */
  nudge(): void {
    if (!this.running || this.failureCount > 0) return;
    this.idleDelayMs = this.options.intervalMs;
    if (this.inFlight) {
      this.nudged = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.inFlight = this.run().finally(() => (this.inFlight = undefined));
    }, delayMs);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    this.nudged = false;
    let next: number;
    try {
      const result = await this.round();
      if (this.failureCount > 0) this.options.onRecovered?.(this.failureCount);
      this.failureCount = 0;
      next = result.more || this.nudged ? 0 : this.idleDelay(result.idle === true);
    } catch (error) {
      this.failureCount += 1;
      next = exponentialBackoff(
        this.failureCount - 1,
        this.backoffBaseMs,
        this.options.maxBackoffMs,
      );
      if (this.failureCount <= 3 || this.failureCount % 10 === 0) {
        this.options.onFailure?.(error, this.failureCount, next);
      }
    }
    if (this.running) this.schedule(next);
  }

  /** intervalMs after a round that found work; doubling after each idle one up to idleMaxMs. */
  private idleDelay(idle: boolean): number {
    if (!idle) {
      this.idleDelayMs = this.options.intervalMs;
      return this.options.intervalMs;
    }
    const delay = this.idleDelayMs;
    this.idleDelayMs = Math.min(this.idleMaxMs, this.idleDelayMs * 2);
    return delay;
  }
}
