import { env, grpcServiceEnvSchema } from '@ordermesh/service-kit';
import { z } from 'zod';

export const envSchema = grpcServiceEnvSchema.extend({
  DATABASE_URL: env.postgresUrl('order'),
  KAFKA_BROKERS: env.kafkaBrokers(),
  USER_GRPC_ADDR: env.grpcAddr(),
  PRODUCT_GRPC_ADDR: env.grpcAddr(),
  PRICING_GRPC_ADDR: env.grpcAddr(),
  INVENTORY_GRPC_ADDR: env.grpcAddr(),
  PAYMENT_GRPC_ADDR: env.grpcAddr(),
  SHIPPING_GRPC_ADDR: env.grpcAddr(),
  PAYMENT_DEADLINE_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .default(120_000)
    .describe(
      'how long from placement the saga keeps trying to authorize the payment; then it voids, releases the stock and cancels the order ("payment unavailable")',
    ),
  SAGA_POLL_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(10)
    .default(200)
    .describe('idle poll interval of the saga worker (it is also nudged after every change)'),
  /** The TTL is the backstop when an order is lost after reserving. */
  RESERVATION_TTL_MARGIN_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(60_000)
    .describe(
      'the stock reservation lives `PAYMENT_DEADLINE_MS` + this margin, so it cannot expire while the saga may still authorize',
    ),
  IDEMPOTENCY_KEY_RETENTION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .default(168)
    .describe(
      'how long a repeated POST /orders with the same Idempotency-Key is answered with the first order; then the retention sweep deletes the key',
    ),
});

export type OrderEnv = z.infer<typeof envSchema>;
