import { Inject } from '@nestjs/common';

/**
 * Injection token of a service's validated configuration (its env schema's output). The service
 * kit's ConfigModule provides it; the infrastructure modules (database, Redis, Kafka) read their
 * URLs from it. Here, in the bottom layer, so those modules need not depend on the service kit.
 */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

/** `@InjectConfig() config: Env` — the service's validated, typed configuration. */
export const InjectConfig = (): ParameterDecorator & PropertyDecorator => Inject(SERVICE_CONFIG);
