import { DynamicModule, Global, Module } from '@nestjs/common';
import { GrpcHealthController } from './grpc-health.controller';
import { HealthController } from './health.controller';
import { Readiness } from '@ordermesh/observability';

@Global()
@Module({})
export class HealthModule {
  /** `/health/live`, `/health/ready` and, for gRPC services, grpc.health.v1. */
  static forRoot(options: { grpc: boolean }): DynamicModule {
    return {
      module: HealthModule,
      controllers: options.grpc ? [HealthController, GrpcHealthController] : [HealthController],
      providers: [Readiness],
      exports: [Readiness],
    };
  }
}
