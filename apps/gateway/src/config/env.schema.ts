import { baseEnvSchema, env, refineTrustedProxies, trustedProxyEnv } from '@ordermesh/service-kit';
import { z } from 'zod';

export const envSchema = baseEnvSchema.extend({
  REDIS_URL: env
    .url(['redis', 'rediss'])
    .describe(
      '`redis://` or `rediss://` URL of its db: rate-limit counters, login throttling, revoked sessions',
    ),
  JWT_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .describe('HS256 key the access tokens are signed and verified with'),
  JWT_ISSUER: z.string().min(1).describe('`iss` of the tokens, checked on every token'),
  JWT_AUDIENCE: z.string().min(1).describe('`aud` of the tokens, checked on every token'),
  /** Sessions last as long as their refresh tokens (the user service's setting). */
  JWT_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(900)
    .default(600)
    .describe(
      'access-token lifetime: short, because a suspension or a role change reaches a caller only at its next refresh',
    ),
  USER_GRPC_ADDR: env.grpcAddr(),
  PRODUCT_GRPC_ADDR: env.grpcAddr(),
  INVENTORY_GRPC_ADDR: env.grpcAddr(),
  PRICING_GRPC_ADDR: env.grpcAddr(),
  ORDER_GRPC_ADDR: env.grpcAddr(),
  SHIPPING_GRPC_ADDR: env.grpcAddr(),
  NOTIFICATION_GRPC_ADDR: env.grpcAddr(),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .describe('comma-separated allowed origins; empty: no cross-origin access'),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/)
    .default('64kb')
    .describe('largest JSON body; a larger one is answered 413'),
  ...trustedProxyEnv,
  RATE_LIMIT_IP_PER_MINUTE: z.coerce
    .number()
    .int()
    .min(1)
    .default(600)
    .describe('requests per minute per client address'),
  RATE_LIMIT_USER_PER_MINUTE: z.coerce
    .number()
    .int()
    .min(1)
    .default(300)
    .describe('requests per minute per authenticated user'),
  REQUEST_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(10_000)
    .describe(
      'budget of one inbound request; every downstream call gets at most what is left of it',
    ),
});

export type GatewayEnv = z.infer<typeof envSchema>;

/** The schema with its cross-field rules (what the service validates its environment with). */
export const gatewayEnvSchema = envSchema.superRefine(refineTrustedProxies);
