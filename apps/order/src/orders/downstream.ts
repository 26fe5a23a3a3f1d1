import { GrpcStatus, isGrpcCallError } from '@ordermesh/service-kit';

/** gRPC codes after which the same call may well succeed later. */
const TRANSIENT_CODES: ReadonlySet<number> = new Set([
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.RESOURCE_EXHAUSTED,
  GrpcStatus.CANCELLED,
  GrpcStatus.ABORTED,
]);

/**
 * Whether a failed downstream call is worth repeating as is: the transient gRPC codes, and calls
 * refused locally because the downstream's circuit breaker is open or its bulkhead full
 * (`CallRejectedError` of @ordermesh/resilience, matched by name to stay decoupled from it).
 */
export function isTransient(error: unknown): boolean {
  if (isGrpcCallError(error)) return TRANSIENT_CODES.has(error.code);
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'CallRejectedError';
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
