import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { isInfrastructureError, isInvalidDataError } from '@ordermesh/resilience';
import { Observable, catchError, throwError } from 'rxjs';
import { GrpcStatus, markAnsweredByServer, rpcError } from './errors';

/**
 * Gives every gRPC failure a deliberate status. Handlers throw RpcExceptions for what they mean
 * (NOT_FOUND, INVALID_ARGUMENT, …); anything else is either a dependency being unreachable —
 * UNAVAILABLE, which callers retry or degrade on and the gateway answers 503 — or a bug: INTERNAL,
 * logged with its stack, its details never sent to the caller. A value the store refused (SQLSTATE
 * class 22) is INVALID_ARGUMENT. Every UNAVAILABLE and INTERNAL a handler answers carries a marker:
 * this server is up, so callers' breakers and retries must not count it against this server (see
 * DEPENDENCY_UNAVAILABLE_KEY, HANDLER_FAILED_KEY).
 */
@Injectable()
export class GrpcErrorInterceptor implements NestInterceptor {
  private readonly logger = new Logger('GrpcErrorInterceptor');

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const rpc = `${context.getClass().name}.${context.getHandler().name}`;
    return next.handle().pipe(
      catchError((error: unknown) => {
        if (error instanceof RpcException) return throwError(() => markAnsweredByServer(error));
        if (isInfrastructureError(error)) {
          this.logger.warn(`${rpc}: dependency unavailable: ${(error as Error).message}`);
          return throwError(() =>
            markAnsweredByServer(
              rpcError(GrpcStatus.UNAVAILABLE, 'a dependency is temporarily unavailable'),
            ),
          );
        }
        if (isInvalidDataError(error)) {
          // The store refused a value of this request: the caller's fault, not a bug to page on.
          this.logger.warn(`${rpc}: a value was refused by the store: ${(error as Error).message}`);
          return throwError(() =>
            rpcError(
              GrpcStatus.INVALID_ARGUMENT,
              'the request holds a value that cannot be stored',
            ),
          );
        }
        this.logger.error({ err: error }, `${rpc} failed`);
        return throwError(() =>
          markAnsweredByServer(rpcError(GrpcStatus.INTERNAL, 'internal error')),
        );
      }),
    );
  }
}
