import { RETRY_LATER_CODES } from '@ordermesh/resilience';
import { GrpcStatus, isGrpcCallError } from '@ordermesh/service-kit';

/**
 * Whether a failed downstream call is worth repeating later as is (a saga step kept in the
 * database and retried with backoff): a code of RETRY_LATER_CODES. A call refused locally
 * because the downstream's circuit breaker is open or its bulkhead full arrives as the service
 * kit's DownstreamRejectedError, a gRPC UNAVAILABLE, and is one of them.
 */
export function isTransient(error: unknown): boolean {
  return isGrpcCallError(error) && RETRY_LATER_CODES.has(error.code);
}

export function grpcCode(error: unknown): number | undefined {
  return isGrpcCallError(error) ? error.code : undefined;
}

/** "UNAVAILABLE: connection refused" — for logs and the saga history. */
export function describeError(error: unknown): string {
  if (isGrpcCallError(error)) {
    const name =
      (GrpcStatus as unknown as Record<number, string>)[error.code] ?? String(error.code);
    return `${name}: ${error.details}`.slice(0, 500);
  }
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}
