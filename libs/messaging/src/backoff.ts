import { setTimeout as delay } from 'node:timers/promises';

export interface BackoffPolicy {
  /** Delay before the first retry, before jitter. */
  baseMs: number;
  /** Upper bound of any single delay. */
  capMs: number;
}

/** `base · 2^(attempt−1)`, capped; `attempt` counts failures so far (1 = first retry). */
export function exponentialDelay(attempt: number, policy: BackoffPolicy): number {
  const exponent = Math.max(0, attempt - 1);
  // 2 ** 1100 is Infinity, and Math.min handles that, but a huge exponent is still a bug upstream.
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(exponent, 64));
}

/**
 * "Full jitter": uniform in [0, exponentialDelay]. Consumers that failed together (a database
 * blip) spread their retries instead of hitting the recovering dependency in lockstep.
 */
export function fullJitterDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  return Math.floor(random() * exponentialDelay(attempt, policy));
}

export function sleep(ms: number): Promise<void> {
  return delay(ms);
}
