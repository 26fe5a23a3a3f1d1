import { status } from '@grpc/grpc-js';

/**
 * What a failed gRPC call says, decided here once; breakers, retries, the saga and the error
 * mapping build on these sets instead of keeping their own lists.
 */

/**
 * Codes that can say the dependency is unhealthy — transport failures, timeouts, exhaustion and
 * internal errors of the infrastructure (grpc-js, a proxy, a dead server). Never a status a
 * healthy server chose about the request (INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS,
 * FAILED_PRECONDITION, PERMISSION_DENIED, UNAUTHENTICATED, ABORTED, OUT_OF_RANGE, …), whatever
 * one caller sends. A circuit breaker counts only these (and service-kit leaves out those a
 * running server marked as its own answer).
 */
export const DEPENDENCY_FAILURE_CODES: ReadonlySet<number> = new Set([
  status.UNAVAILABLE,
  status.DEADLINE_EXCEEDED,
  status.RESOURCE_EXHAUSTED,
  status.INTERNAL,
  status.UNKNOWN,
  status.DATA_LOSS,
]);

/**
 * Codes after which the same call, if safe to repeat, is worth sending again at once: the
 * dependency did not answer (in time). Not ABORTED: a conflict one caller can provoke at will
 * would spend the retry budget every caller shares.
 */
export const RETRY_NOW_CODES: ReadonlySet<number> = new Set([
  status.UNAVAILABLE,
  status.DEADLINE_EXCEEDED,
]);

/**
 * Codes after which a durable step (a saga step, kept in a database and retried with backoff
 * until it is done) may well succeed later: those of RETRY_NOW_CODES, exhaustion, a cancelled
 * call and a conflict that resolves (ABORTED).
 */
export const RETRY_LATER_CODES: ReadonlySet<number> = new Set([
  ...RETRY_NOW_CODES,
  status.RESOURCE_EXHAUSTED,
  status.CANCELLED,
  status.ABORTED,
]);

/** The status of a failed gRPC call (grpc-js's ServiceError shape: numeric code, details), if it is one. */
export function grpcCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, details } = error as { code?: unknown; details?: unknown };
  return typeof code === 'number' && typeof details === 'string' ? code : undefined;
}
