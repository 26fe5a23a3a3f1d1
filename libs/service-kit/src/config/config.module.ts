import { DynamicModule, Global, Module } from '@nestjs/common';
import { SERVICE_CONFIG } from '@ordermesh/observability';
import type { z } from 'zod';
import { parseEnv } from './env';

export { InjectConfig, SERVICE_CONFIG } from '@ordermesh/observability';

/**
 * Validates the environment once, when the application is created: a bad environment aborts
 * start-up with a ConfigError naming every problem (bootstrapService logs it and exits 1).
 */
@Global()
@Module({})
export class ServiceConfigModule {
  static forRoot<S extends z.ZodType>(
    schema: S,
    env: NodeJS.ProcessEnv = process.env,
  ): DynamicModule {
    return {
      module: ServiceConfigModule,
      providers: [{ provide: SERVICE_CONFIG, useFactory: () => parseEnv(schema, env) }],
      exports: [SERVICE_CONFIG],
    };
  }
}
