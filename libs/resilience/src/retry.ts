import { fullJitterBackoff } from './backoff';
import { currentDeadline } from './deadline';
import type { RetryBudget } from './retry-budget';

export interface RetryOptions {
  /** Total attempts including the first. */
  attempts: number;
  baseMs: number;
  capMs: number;
  /** Whether an error is worth another attempt (transient, and the call is safe to repeat). */
  retryable: (error: unknown) => boolean;
  budget?: RetryBudget;
  onRetry?: (attempt: number, error: unknown) => void;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn`, retrying retryable failures with full-jitter backoff while the retry budget and the
 * inbound request's deadline allow; the last error is rethrown.
 */
export async function retry<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? defaultSleep;
  options.budget?.recordRequest();
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const last = attempt + 1 >= options.attempts;
      if (last || !options.retryable(error)) throw error;
      const delay = fullJitterBackoff(attempt, options.baseMs, options.capMs);
      const deadline = currentDeadline();
      if (deadline !== undefined && Date.now() + delay >= deadline) throw error;
      if (options.budget && !options.budget.tryAcquire()) throw error;
      options.onRetry?.(attempt + 1, error);
      await sleep(delay);
    }
  }
}
