import { DynamicModule, Global, Inject, Module } from '@nestjs/common';
import type { z } from 'zod';
import { parseEnv } from './env';

/** Injection token of the validated configuration. */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

/** `@InjectConfig() config: Env` — the service's validated, typed configuration. */
export const InjectConfig = (): ParameterDecorator & PropertyDecorator => Inject(SERVICE_CONFIG);

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
