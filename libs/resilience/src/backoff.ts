/**
 * Exponential backoff without jitter: `min(cap, base * 2^attempt)`, `attempt` counting from 0.
 * The ceiling of fullJitterBackoff; on its own for a single actor that need not spread out (an
 * outbox relay waiting for Kafka).
 */
export function exponentialBackoff(attempt: number, baseMs: number, capMs: number): number {
  // 2 ** 1100 is Infinity and Math.min copes, but a huge exponent is a bug upstream: clamp it.
  return Math.min(capMs, baseMs * 2 ** Math.min(64, Math.max(0, attempt)));
}

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * a uniformly random delay in [0, min(cap, base * 2^attempt)), so retrying clients spread out
 * instead of arriving together. `attempt` counts from 0.
 */
export function fullJitterBackoff(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  return Math.floor(random() * exponentialBackoff(attempt, baseMs, capMs));
}
