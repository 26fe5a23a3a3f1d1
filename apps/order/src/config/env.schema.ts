import { env, grpcServiceEnvSchema } from '@ordermesh/service-kit';
import { z } from 'zod';

export const envSchema = grpcServiceEnvSchema.extend({
  DATABASE_URL: env.url(['postgres', 'postgresql']),
  KAFKA_BROKERS: env.hostList(),
  USER_GRPC_ADDR: env.grpcAddr(),
  PRODUCT_GRPC_ADDR: env.grpcAddr(),
  PRICING_GRPC_ADDR: env.grpcAddr(),
  INVENTORY_GRPC_ADDR: env.grpcAddr(),
  PAYMENT_GRPC_ADDR: env.grpcAddr(),
  SHIPPING_GRPC_ADDR: env.grpcAddr(),
  /**
   * How long the saga keeps trying to authorize the payment (from placement) before it gives up
   * and cancels the order with "payment unavailable".
   */
  PAYMENT_DEADLINE_MS: z.coerce.number().int().min(1_000).default(120_000),
  /** Idle poll interval of the saga worker (it is also nudged after every change). */
  SAGA_POLL_INTERVAL_MS: z.coerce.number().int().min(10).default(200),
  /**
   * The stock reservation lives PAYMENT_DEADLINE_MS + this margin, so it cannot expire while the
   * saga may still authorize; the TTL is the backstop when an order is lost after reserving.
   */
  RESERVATION_TTL_MARGIN_MS: z.coerce.number().int().min(0).default(60_000),
  /**
   * A repeated POST /orders with the same Idempotency-Key is answered with the first order for
   * this long; after that the key is forgotten (deleted by the retention sweep).
   */
  IDEMPOTENCY_KEY_RETENTION_HOURS: z.coerce.number().int().min(1).default(168),
});

export type OrderEnv = z.infer<typeof envSchema>;
