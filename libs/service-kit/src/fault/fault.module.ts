import {
  CallHandler,
  Controller,
  ExecutionContext,
  Injectable,
  Logger,
  Module,
  NestInterceptor,
} from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import {
  type FaultServiceController,
  FaultServiceControllerMethods,
  type Faults,
  type GetFaultsResponse,
  type SetFaultsRequest,
  type SetFaultsResponse,
} from '@ordermesh/contracts';
import { Metrics } from '@ordermesh/observability';
import { Observable, defer, mergeMap, throwError, timer } from 'rxjs';
import { invalidArgument, rpcError } from '../grpc/errors';
import {
  type FaultSettings,
  type InboundCall,
  NO_FAULTS,
  decideFault,
  faultProblems,
  normaliseFaults,
  parseGrpcPath,
} from './fault-rules';

/** The process's current fault settings (in memory: one replica per test platform). */
@Injectable()
export class FaultState {
  private settings: FaultSettings = NO_FAULTS;

  current(): FaultSettings {
    return { ...this.settings, methods: [...this.settings.methods] };
  }

  replace(next: FaultSettings): FaultSettings {
    this.settings = normaliseFaults(next);
    return this.current();
  }
}

@Controller()
@FaultServiceControllerMethods()
export class FaultController implements FaultServiceController {
  private readonly logger = new Logger('FaultInjection');

  constructor(private readonly state: FaultState) {}

  setFaults(request: SetFaultsRequest): SetFaultsResponse {
    const requested: FaultSettings = {
      latencyMs: request.latencyMs,
      errorRateBps: request.errorRateBps,
      errorCode: request.errorCode,
      methods: request.methods ?? [],
    };
    const problems = faultProblems(requested);
    if (problems.length > 0) throw invalidArgument(problems.join('; '), { problems });
    const faults = this.state.replace(requested);
    this.logger.warn(`fault settings replaced: ${JSON.stringify(faults)}`);
    return { faults: toMessage(faults) };
  }

  getFaults(): GetFaultsResponse {
    return { faults: toMessage(this.state.current()) };
  }
}

const toMessage = (settings: FaultSettings): Faults => ({ ...settings });

interface ServerCall {
  getPath?: () => string;
}

/** The service and RPC of the inbound call: from the gRPC call, else from Nest's pattern. */
function inboundCall(context: ExecutionContext): InboundCall | undefined {
  const path = context.getArgByIndex<ServerCall | undefined>(2)?.getPath?.();
  const parsed = path ? parseGrpcPath(path) : undefined;
  if (parsed) return parsed;
  const pattern = Reflect.getMetadata('microservices:pattern', context.getHandler()) as
    { service?: string; rpc?: string }[] | undefined;
  const first = pattern?.[0];
  return first?.service && first.rpc ? { service: first.service, method: first.rpc } : undefined;
}

/**
 * Applies the fault settings to inbound gRPC calls (never to FaultService or grpc.health.v1):
 * the latency first, then either the injected error (a real gRPC status to the caller) or the
 * handler.
 */
@Injectable()
export class FaultInterceptor implements NestInterceptor {
  constructor(
    private readonly state: FaultState,
    private readonly metrics: Metrics,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const call = inboundCall(context);
    if (!call) return next.handle();
    const decision = decideFault(this.state.current(), call);
    if (!decision) return next.handle();
    const injected = this.metrics.counter(
      'ordermesh_injected_faults_total',
      'Faults injected into inbound gRPC calls (test profile only)',
      ['grpc_method', 'kind'],
    );
    const { failWith } = decision;
    const outcome = defer(() => {
      if (failWith === undefined) return next.handle();
      injected.inc({ grpc_method: call.method, kind: 'error' });
      return throwError(() =>
        rpcError(failWith, `injected fault (${call.method}): FaultService settings`),
      );
    });
    if (decision.delayMs <= 0) return outcome;
    injected.inc({ grpc_method: call.method, kind: 'latency' });
    return timer(decision.delayMs).pipe(mergeMap(() => outcome));
  }
}

/**
 * ordermesh.testing.v1.FaultService and its interceptor. Test code, outside the kit's entry point:
 * ServiceModule loads it and bootstrapService serves the `fault` API only when FAULT_INJECTION is
 * enabled (test profile); a production process never loads this file.
 */
@Module({
  controllers: [FaultController],
  providers: [FaultState, { provide: APP_INTERCEPTOR, useClass: FaultInterceptor }],
  exports: [FaultState],
})
export class FaultModule {}
