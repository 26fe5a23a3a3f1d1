import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The absolute deadline (epoch ms) of the inbound request being handled. Outbound calls made while
 * handling it get at most the remaining time, so a slow chain fails fast at its edge instead of
 * piling up work that nobody waits for any more.
 */
const storage = new AsyncLocalStorage<number>();

export function runWithDeadline<T>(deadline: number, fn: () => T): T {
  const outer = storage.getStore();
  return storage.run(outer !== undefined ? Math.min(outer, deadline) : deadline, fn);
}

export function currentDeadline(): number | undefined {
  return storage.getStore();
}

/**
 * The deadline for an outbound call: its own budget, capped by the inbound request's remaining
 * time. Never unbounded.
 */
export function outboundDeadline(budgetMs: number, now = Date.now()): number {
  const own = now + budgetMs;
  const inbound = storage.getStore();
  return inbound !== undefined ? Math.min(own, inbound) : own;
}

/** Remaining milliseconds of the current inbound request (undefined outside a request). */
export function remainingMs(now = Date.now()): number | undefined {
  const inbound = storage.getStore();
  return inbound === undefined ? undefined : Math.max(0, inbound - now);
}
