import { env, grpcServiceEnvSchema } from '@ordermesh/service-kit';
import type { z } from 'zod';

export const envSchema = grpcServiceEnvSchema.extend({
  DATABASE_URL: env.postgresUrl('shipping'),
  KAFKA_BROKERS: env.kafkaBrokers(),
});

export type ShippingEnv = z.infer<typeof envSchema>;
