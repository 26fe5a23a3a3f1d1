import { baseEnvSchema, env, refineTrustedProxies, trustedProxyEnv } from '@ordermesh/service-kit';
import { z } from 'zod';

export const envSchema = baseEnvSchema.extend({
  REDIS_URL: env.url(['redis', 'rediss']),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters'),
  JWT_ISSUER: z.string().min(1),
  JWT_AUDIENCE: z.string().min(1),
  /**
   * Access-token lifetime: short, because a suspension or a role change reaches a caller only at
   * its next refresh. Sessions last as long as their refresh tokens (the user service's setting).
   */
  JWT_TTL_SECONDS: z.coerce.number().int().min(60).max(900).default(600),
  USER_GRPC_ADDR: env.grpcAddr(),
  PRODUCT_GRPC_ADDR: env.grpcAddr(),
  INVENTORY_GRPC_ADDR: env.grpcAddr(),
  PRICING_GRPC_ADDR: env.grpcAddr(),
  ORDER_GRPC_ADDR: env.grpcAddr(),
  SHIPPING_GRPC_ADDR: env.grpcAddr(),
  NOTIFICATION_GRPC_ADDR: env.grpcAddr(),
  /** Comma-separated allowed origins; empty = no cross-origin access. */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/)
    .default('64kb'),
  ...trustedProxyEnv,
  /** Requests per window per client IP, and per authenticated user. */
  RATE_LIMIT_IP_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_USER_PER_MINUTE: z.coerce.number().int().min(1).default(300),
  /** Budget of one inbound request; every downstream call gets at most what is left of it. */
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
});

export type GatewayEnv = z.infer<typeof envSchema>;

/** The schema with its cross-field rules (what the service validates its environment with). */
export const gatewayEnvSchema = envSchema.superRefine(refineTrustedProxies);
