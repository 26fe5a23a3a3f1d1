import { DynamicModule, Module, type Type } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { LoggingModule, MetricsModule } from '@ordermesh/observability';
import type { z } from 'zod';
import { SERVICE_CONFIG, ServiceConfigModule } from './config/config.module';
import type { BaseEnv } from './config/env';
import { faultInjectionEnabled } from './fault/enabled';
import { GrpcDeadlineInterceptor } from './grpc/deadline.interceptor';
import { GrpcErrorInterceptor } from './grpc/error.interceptor';
import { GrpcInputInterceptor } from './grpc/input.interceptor';
import { HealthModule } from './health/health.module';

/**
 * What every service imports once in its AppModule: validated configuration, JSON logging,
 * metrics, health (HTTP and, for gRPC servers, grpc.health.v1) and deadline propagation; for gRPC
 * servers with FAULT_INJECTION enabled (test profile only), ordermesh.testing.v1.FaultService.
 */
@Module({})
export class ServiceModule {
  static forRoot<S extends z.ZodType<BaseEnv>>(options: {
    name: string;
    envSchema: S;
    grpc: boolean;
  }): DynamicModule {
    return {
      module: ServiceModule,
      imports: [
        ServiceConfigModule.forRoot(options.envSchema),
        LoggingModule.forRoot({
          service: options.name,
          inject: [SERVICE_CONFIG],
          level: (config: BaseEnv) => config.LOG_LEVEL,
        }),
        MetricsModule.forRoot(options.name),
        HealthModule.forRoot({ grpc: options.grpc }),
        // After MetricsModule: its interceptor wraps this one, so injected faults show in metrics.
        ...(options.grpc && faultInjectionEnabled() ? [loadFaultModule()] : []),
      ],
      providers: [
        { provide: APP_INTERCEPTOR, useClass: GrpcDeadlineInterceptor },
        { provide: APP_INTERCEPTOR, useClass: GrpcErrorInterceptor },
        { provide: APP_INTERCEPTOR, useClass: GrpcInputInterceptor },
      ],
    };
  }
}

/** Test code, required only when FAULT_INJECTION is enabled: a production process never loads it. */
function loadFaultModule(): Type {
  const { FaultModule } = require('./fault/fault.module') as typeof import('./fault/fault.module');
  return FaultModule;
}
