import { status as GrpcStatus, Metadata } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';

export { GrpcStatus };

/** Trailing-metadata key that carries structured error details (JSON) next to the message. */
export const ERROR_DETAILS_KEY = 'ordermesh-error-details';

/**
 * A gRPC error with a status code, a human-readable reason and optional structured details.
 * Nest's gRPC transport turns it into the call's status; the gateway maps the code to HTTP.
 */
export function rpcError(code: GrpcStatus, message: string, details?: unknown): RpcException {
  const metadata = new Metadata();
  if (details !== undefined) metadata.set(ERROR_DETAILS_KEY, JSON.stringify(details));
  return new RpcException({ code, message, details: message, metadata });
}

export const notFound = (message: string) => rpcError(GrpcStatus.NOT_FOUND, message);
export const invalidArgument = (message: string, details?: unknown) =>
  rpcError(GrpcStatus.INVALID_ARGUMENT, message, details);
export const failedPrecondition = (message: string, details?: unknown) =>
  rpcError(GrpcStatus.FAILED_PRECONDITION, message, details);
export const alreadyExists = (message: string) => rpcError(GrpcStatus.ALREADY_EXISTS, message);
export const permissionDenied = (message: string) =>
  rpcError(GrpcStatus.PERMISSION_DENIED, message);
export const unauthenticated = (message: string) => rpcError(GrpcStatus.UNAUTHENTICATED, message);
export const unavailable = (message: string) => rpcError(GrpcStatus.UNAVAILABLE, message);

/**
 * Trailing-metadata key on an UNAVAILABLE that a server's handler answered itself: the server is
 * up and answering, something it depends on is not. Callers' circuit breakers do not count such
 * answers against the server (the server's own breaker towards its dependency already does), so
 * one slow dependency does not cut off every RPC of the services in front of it.
 */
export const DEPENDENCY_UNAVAILABLE_KEY = 'ordermesh-dependency-unavailable';

/**
 * Trailing-metadata key on an INTERNAL (or UNKNOWN, DATA_LOSS) that a server's handler answered:
 * the server is up and answering, this one request failed in its handler. Whatever caused it —
 * a bug, a value no rule caught — belongs to the request, so callers' breakers and retries do
 * not count it against the server: one caller's crafted input cannot open a breaker for all.
 */
export const HANDLER_FAILED_KEY = 'ordermesh-handler-failed';

const HANDLER_FAILURE_CODES = new Set<number>([
  GrpcStatus.INTERNAL,
  GrpcStatus.UNKNOWN,
  GrpcStatus.DATA_LOSS,
]);

/**
 * Marks an RpcException as the answer of a healthy server: an UNAVAILABLE as about one of its
 * dependencies, an INTERNAL/UNKNOWN/DATA_LOSS as the failure of this request's handler. Other
 * codes are unchanged (they are never counted against a server).
 */
export function markAnsweredByServer(exception: RpcException): RpcException {
  const error = exception.getError();
  if (typeof error !== 'object' || error === null) return exception;
  const fields = error as { code?: unknown; metadata?: unknown };
  const key =
    fields.code === GrpcStatus.UNAVAILABLE
      ? DEPENDENCY_UNAVAILABLE_KEY
      : HANDLER_FAILURE_CODES.has(fields.code as number)
        ? HANDLER_FAILED_KEY
        : undefined;
  if (!key) return exception;
  const metadata = fields.metadata instanceof Metadata ? fields.metadata.clone() : new Metadata();
  metadata.set(key, '1');
  return new RpcException({ ...fields, metadata });
}

/** @deprecated the UNAVAILABLE case of markAnsweredByServer. */
export const markDependencyUnavailable = markAnsweredByServer;

/** The shape a failed gRPC call has on the client side. */
export interface GrpcCallError {
  code: GrpcStatus;
  details: string;
  metadata?: Metadata;
}

export function isGrpcCallError(error: unknown): error is GrpcCallError {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'number' &&
    typeof (error as { details?: unknown }).details === 'string'
  );
}

/** An UNAVAILABLE answered by a healthy server about one of its dependencies (see the key). */
export function isDependencyUnavailable(error: unknown): boolean {
  return (
    isGrpcCallError(error) &&
    error.code === GrpcStatus.UNAVAILABLE &&
    error.metadata?.get(DEPENDENCY_UNAVAILABLE_KEY)[0] === '1'
  );
}

/** An INTERNAL/UNKNOWN/DATA_LOSS a running server's handler answered (see HANDLER_FAILED_KEY). */
export function isHandlerFailure(error: unknown): boolean {
  return (
    isGrpcCallError(error) &&
    HANDLER_FAILURE_CODES.has(error.code) &&
    error.metadata?.get(HANDLER_FAILED_KEY)[0] === '1'
  );
}

/**
 * A failure the server answered deliberately while healthy: a dependency of its own unavailable,
 * or its handler failing on this request. Neither says anything about the server's health.
 */
export const isAnsweredByHealthyServer = (error: unknown): boolean =>
  isDependencyUnavailable(error) || isHandlerFailure(error);

/** Structured details attached by rpcError, if any. */
export function errorDetails(error: GrpcCallError): unknown {
  const raw = error.metadata?.get(ERROR_DETAILS_KEY)[0];
  if (typeof raw !== 'string') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs in every service; a malformed id is INVALID_ARGUMENT, never a database error. */
export const isUuid = (value: string): boolean => UUID.test(value);
