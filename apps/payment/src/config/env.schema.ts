import { env, grpcServiceEnvSchema } from '@ordermesh/service-kit';
import { z } from 'zod';

export const envSchema = grpcServiceEnvSchema.extend({
  DATABASE_URL: env.postgresUrl('payment'),
  KAFKA_BROKERS: env.kafkaBrokers(),
  PAYMENT_TEST_CONTROLS: env
    .flag(false)
    .describe(
      "the simulated provider's test controls (ConfigureTestControls, decline rules, injected latency and errors); the platform's test profile sets `enabled`",
    ),
  PAYMENT_DECLINE_METHODS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    )
    .describe('initial comma list of payment methods declined (test controls only)'),
  PAYMENT_LATENCY_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(60_000)
    .default(0)
    .describe('initial latency of the provider calls (test controls only)'),
  PAYMENT_ERROR_RATE_BPS: z.coerce
    .number()
    .int()
    .min(0)
    .max(10_000)
    .default(0)
    .describe(
      'initial share of provider calls failing UNAVAILABLE, in basis points (test controls only)',
    ),
});

export type PaymentEnv = z.infer<typeof envSchema>;
