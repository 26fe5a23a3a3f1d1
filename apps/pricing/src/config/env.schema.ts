import { env, grpcServiceEnvSchema } from '@ordermesh/service-kit';
import type { z } from 'zod';

export const envSchema = grpcServiceEnvSchema.extend({
  DATABASE_URL: env.postgresUrl('pricing'),
  KAFKA_BROKERS: env.kafkaBrokers(),
});

export type PricingEnv = z.infer<typeof envSchema>;
