import { baseEnvSchema, env } from '@ordermesh/service-kit';
import { z } from 'zod';
import { parseTrustedProxies } from '../common/client-address';

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
  /**
   * Who may tell the gateway the client's address (X-Forwarded-For): a number of proxy hops in
   * front of it (the cluster's ingress: 1), or proxy addresses/subnets (`loopback`, `10.0.0.0/8`,
   * …). Default: nobody, so the address is the connection's peer and no client chooses its own
   * rate-limit key. At most one of the two.
   */
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((value, context) => {
      try {
        return parseTrustedProxies(value);
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /** Requests per window per client IP, and per authenticated user. */
  RATE_LIMIT_IP_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_USER_PER_MINUTE: z.coerce.number().int().min(1).default(300),
  /** Budget of one inbound request; every downstream call gets at most what is left of it. */
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
});

export type GatewayEnv = z.infer<typeof envSchema>;

/** The schema with its cross-field rules (what the service validates its environment with). */
export const gatewayEnvSchema = envSchema.superRefine((config, context) => {
  if (config.TRUSTED_PROXY_HOPS > 0 && config.TRUSTED_PROXIES.length > 0) {
    context.addIssue({
      code: 'custom',
      path: ['TRUSTED_PROXIES'],
      message: 'set TRUSTED_PROXY_HOPS or TRUSTED_PROXIES, not both',
    });
  }
});
