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
