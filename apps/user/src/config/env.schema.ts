import { env, grpcServiceEnvSchema } from '@ordermesh/service-kit';
import { z } from 'zod';

export const envSchema = grpcServiceEnvSchema.extend({
  DATABASE_URL: env.url(['postgres', 'postgresql']),
  KAFKA_BROKERS: env.hostList(),
  /** Lifetime of one refresh token; every refresh issues a new one with a fresh lifetime. */
  REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(7_776_000).default(1_209_600),
});

export type UserEnv = z.infer<typeof envSchema>;
