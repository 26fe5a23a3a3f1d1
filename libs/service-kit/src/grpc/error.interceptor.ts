import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { isInfrastructureError } from '@ordermesh/resilience';
import { Observable, catchError, throwError } from 'rxjs';
import { GrpcStatus, markDependencyUnavailable, rpcError } from './errors';

/**
 * Gives every gRPC failure a deliberate status. Handlers throw RpcExceptions for what they mean
 * (NOT_FOUND, INVALID_ARGUMENT, …); anything else is either a dependency being unreachable —
 * UNAVAILABLE, which callers retry or degrade on and the gateway answers 503 — or a bug: INTERNAL,
 * logged with its stack, its details never sent to the caller. Every UNAVAILABLE a handler answers
 * carries the dependency-unavailable marker: this server is up, so callers' breakers must not count
 * it against this server (see DEPENDENCY_UNAVAILABLE_KEY).
 */
@Injectable()
export class GrpcErrorInterceptor implements NestInterceptor {
  private readonly logger = new Logger('GrpcErrorInterceptor');

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const rpc = `${context.getClass().name}.${context.getHandler().name}`;
    return next.handle().pipe(
      catchError((error: unknown) => {
        if (error instanceof RpcException)
          return throwError(() => markDependencyUnavailable(error));
        if (isInfrastructureError(error)) {
          this.logger.warn(`${rpc}: dependency unavailable: ${(error as Error).message}`);
          return throwError(() =>
            markDependencyUnavailable(
              rpcError(GrpcStatus.UNAVAILABLE, 'a dependency is temporarily unavailable'),
            ),
          );
        }
        this.logger.error({ err: error }, `${rpc} failed`);
        return throwError(() => rpcError(GrpcStatus.INTERNAL, 'internal error'));
      }),
    );
  }
}
