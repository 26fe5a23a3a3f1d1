import { env, grpcServiceEnvSchema } from '@ordermesh/service-kit';
import { z } from 'zod';

export const envSchema = grpcServiceEnvSchema.extend({
  DATABASE_URL: env.url(['postgres', 'postgresql']),
  KAFKA_BROKERS: env.hostList(),
  /** Lifetime of one refresh token; every refresh issues a new one with a fresh lifetime. */
  REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(7_776_000).default(1_209_600),
  /**
   * A session's absolute lifetime from its login: refreshes never carry it further, so a stolen
   * refresh token kept fresh by rotation still stops working (default 30 days).
   */
  SESSION_MAX_LIFETIME_SECONDS: z.coerce.number().int().min(60).max(31_536_000).default(2_592_000),
});

export type UserEnv = z.infer<typeof envSchema>;
