import { env, grpcServiceEnvSchema } from '@ordermesh/service-kit';
import { z } from 'zod';

export const envSchema = grpcServiceEnvSchema.extend({
  REDIS_URL: env.url(['redis', 'rediss']),
  KAFKA_BROKERS: env.hostList(),
  /** Notifications older than this are dropped (hash TTL, pruned from the per-user index). */
  NOTIFICATION_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /** Newest notifications kept per user. */
  NOTIFICATION_MAX_PER_USER: z.coerce.number().int().min(1).max(100_000).default(500),
  /** How long an event id is remembered for deduplication (default 3 days). */
  NOTIFICATION_DEDUP_TTL_SECONDS: z.coerce.number().int().min(60).default(259_200),
});

export type NotificationEnv = z.infer<typeof envSchema>;
