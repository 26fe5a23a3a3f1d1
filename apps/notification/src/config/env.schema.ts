import { env, grpcServiceEnvSchema } from '@ordermesh/service-kit';
import { z } from 'zod';

export const envSchema = grpcServiceEnvSchema.extend({
  REDIS_URL: env
    .url(['redis', 'rediss'])
    .describe(
      '`redis://` or `rediss://` URL of its db: the notifications, their per-user index and the dedup keys',
    ),
  KAFKA_BROKERS: env.kafkaBrokers(),
  NOTIFICATION_RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .default(90)
    .describe(
      'notifications older than this are dropped (hash TTL, pruned from the per-user index)',
    ),
  NOTIFICATION_MAX_PER_USER: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(500)
    .describe('newest notifications kept per user'),
  NOTIFICATION_DEDUP_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(259_200)
    .describe('how long a consumed event id is remembered for deduplication'),
});

export type NotificationEnv = z.infer<typeof envSchema>;
