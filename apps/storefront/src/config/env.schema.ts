import { baseEnvSchema, env, refineTrustedProxies, trustedProxyEnv } from '@ordermesh/service-kit';
import { z } from 'zod';

export const envSchema = baseEnvSchema.extend({
  /** The gateway's public API base, e.g. http://127.0.0.1:8080/api/v1: the storefront's only backend. */
  GATEWAY_URL: env.url(['http', 'https']),
  /** Budget of one call to the gateway. */
  GATEWAY_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /**
   * Where a trace is shown: `{traceId}` is replaced by the order's trace id. Empty = no links.
   * Locally the trace viewer of `make up`; in a cluster the Jaeger query UI.
   */
  TRACE_URL_TEMPLATE: z
    .string()
    .default('')
    .refine((value) => value === '' || value.includes('{traceId}'), {
      message: 'must contain {traceId}',
    }),
  /** Test profile only: checkout offers "decline this payment" (the payment service's test rule). */
  STOREFRONT_TEST_CONTROLS: env.flag(false),
  /** The payment method the payment service declines under its test controls. */
  STOREFRONT_DECLINE_METHOD: z
    .string()
    .regex(/^[a-z0-9_-]{1,64}$/)
    .default('declined_card'),
  /** Cookies only over HTTPS (set behind a TLS-terminating ingress). */
  COOKIE_SECURE: env.flag(false),
  /** How often the order page's live stream asks the gateway while the saga is running. */
  ORDER_STREAM_INTERVAL_MS: z.coerce.number().int().min(200).default(1_000),
  /** How long one live stream stays open (the browser reconnects after). */
  ORDER_STREAM_MAX_MS: z.coerce.number().int().min(1_000).default(600_000),
  /** Who may tell the storefront its visitor's address, which it passes on to the gateway. */
  ...trustedProxyEnv,
});

export type StorefrontEnv = z.infer<typeof envSchema>;

/** The schema with its cross-field rules (what the service validates its environment with). */
export const storefrontEnvSchema = envSchema.superRefine(refineTrustedProxies);
