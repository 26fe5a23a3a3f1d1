import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { Observable, distinctUntilChanged, from, interval, map, startWith, switchMap } from 'rxjs';
import { Readiness } from '@ordermesh/observability';

/** grpc.health.v1.HealthCheckResponse.ServingStatus */
const SERVING = 1;
const NOT_SERVING = 2;

interface HealthCheckRequest {
  service: string;
}
interface HealthCheckResponse {
  status: number;
}

/**
 * The standard gRPC health service, answering from the same readiness state as `/health/ready`,
 * so native Kubernetes gRPC probes and grpc-health-probe see what the HTTP probe sees.
 */
@Controller()
export class GrpcHealthController {
  constructor(private readonly readiness: Readiness) {}

  @GrpcMethod('Health', 'Check')
  async check(_request: HealthCheckRequest): Promise<HealthCheckResponse> {
    return { status: await this.status() };
  }

  /** Server streaming: sends the status now and again whenever it changes. */
  @GrpcMethod('Health', 'Watch')
  watch(_request: HealthCheckRequest): Observable<HealthCheckResponse> {
    return interval(5_000).pipe(
      startWith(0),
      switchMap(() => from(this.status())),
      distinctUntilChanged(),
      map((status) => ({ status })),
    );
  }

  private async status(): Promise<number> {
    return (await this.readiness.report()).ready ? SERVING : NOT_SERVING;
  }
}
