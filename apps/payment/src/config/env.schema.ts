import { env, grpcServiceEnvSchema } from '@ordermesh/service-kit';
import { z } from 'zod';

export const envSchema = grpcServiceEnvSchema.extend({
  DATABASE_URL: env.url(['postgres', 'postgresql']),
  KAFKA_BROKERS: env.hostList(),
  /**
   * The simulated provider's test controls (ConfigureTestControls, decline rules, injected latency
   * and errors). Off by default; the platform's test profile sets `enabled`.
   */
  PAYMENT_TEST_CONTROLS: env.flag(false),
  /** Initial test controls (ignored unless PAYMENT_TEST_CONTROLS is on). Comma list. */
  PAYMENT_DECLINE_METHODS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    ),
  PAYMENT_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  PAYMENT_ERROR_RATE_BPS: z.coerce.number().int().min(0).max(10_000).default(0),
});

export type PaymentEnv = z.infer<typeof envSchema>;
