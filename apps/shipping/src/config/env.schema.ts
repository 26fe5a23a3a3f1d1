import { env, grpcServiceEnvSchema } from '@ordermesh/service-kit';
import type { z } from 'zod';

export const envSchema = grpcServiceEnvSchema.extend({
  DATABASE_URL: env.url(['postgres', 'postgresql']),
  KAFKA_BROKERS: env.hostList(),
});

export type ShippingEnv = z.infer<typeof envSchema>;
