import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { runWithDeadline } from '@ordermesh/resilience';
import { Observable } from 'rxjs';

interface ServerCallWithDeadline {
  getDeadline?: () => Date | number;
}

/**
 * Makes an inbound gRPC call's deadline the budget of every outbound call made while handling it
 * (deadline propagation); see @ordermesh/resilience `outboundDeadline`.
 */
@Injectable()
export class GrpcDeadlineInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const call = context.getArgByIndex<ServerCallWithDeadline | undefined>(2);
    const raw = call?.getDeadline?.();
    const deadline = raw instanceof Date ? raw.getTime() : raw;
    if (deadline === undefined || !Number.isFinite(deadline)) return next.handle();
    return new Observable((subscriber) =>
      runWithDeadline(deadline, () => next.handle().subscribe(subscriber)),
    );
  }
}
