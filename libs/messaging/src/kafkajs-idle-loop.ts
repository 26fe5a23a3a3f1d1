import { createRequire } from 'node:module';

/**
 * kafkajs 2.2.4 (its last release) spins a 1 ms timer on every broker connection whenever no
 * request waits: `RequestQueue.scheduleCheckPendingRequests` arms `setTimeout` with
 * `throttledUntil - Date.now()`, negative while nothing is throttled (-1 - now), and the timer
 * calls it again (tulios/kafkajs#1556, #1704; the TimeoutNegativeWarning of #1751). That loop was
 * a third of an idle service's CPU here (docs/performance.md).
 *
 * The replacement schedules a check only while requests wait, as upstream's open fixes do:
 * a request that cannot be sent at once is queued by `push`, which calls this; a finished or
 * timed-out request calls `checkPendingRequests` itself. Applied to the version it was checked
 * against only (KAFKAJS_VERSION_CHECKED); kafkajs-idle-loop.spec.ts fails on any other.
 */
export const KAFKAJS_VERSION_CHECKED = '2.2.4';
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10; // kafkajs' own constant

interface RequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

const require = createRequire(__filename);

export function installedKafkajsVersion(): string {
  return (require('kafkajs/package.json') as { version: string }).version;
}

/** The RequestQueue class of the installed kafkajs (internal module; version-checked). */
export function requestQueueClass(): { prototype: RequestQueue } {
  return require('kafkajs/src/network/requestQueue') as { prototype: RequestQueue };
}

function scheduleCheckPendingRequests(this: RequestQueue): void {
  if (this.pending.length === 0 || this.throttleCheckTimeoutId) return;
  const throttledForMs = this.throttledUntil - Date.now();
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    },
    throttledForMs > 0 ? throttledForMs : CHECK_PENDING_REQUESTS_INTERVAL_MS,
  );
}

let installed = false;

/** Replaces the spinning scheduler (once per process); false when kafkajs is another version. */
export function fixKafkajsIdleLoop(): boolean {
  if (installed) return true;
  if (installedKafkajsVersion() !== KAFKAJS_VERSION_CHECKED) return false;
  requestQueueClass().prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
  installed = true;
  return true;
}
