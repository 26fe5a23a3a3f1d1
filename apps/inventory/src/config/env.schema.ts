import { env, grpcServiceEnvSchema } from '@ordermesh/service-kit';
import { z } from 'zod';

export const envSchema = grpcServiceEnvSchema.extend({
  DATABASE_URL: env.postgresUrl('inventory'),
  KAFKA_BROKERS: env.kafkaBrokers(),
  RESERVATION_SWEEP_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(60_000)
    .default(2_000)
    .describe(
      'how often the expiry sweeper looks for RESERVED reservations past their `expires_at`',
    ),
  RESERVATION_SWEEP_BATCH_SIZE: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000)
    .default(100)
    .describe('reservations expired per sweeper transaction (it loops while batches are full)'),
});

export type InventoryEnv = z.infer<typeof envSchema>;
