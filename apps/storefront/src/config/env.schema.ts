import { baseEnvSchema, env, refineTrustedProxies, trustedProxyEnv } from '@ordermesh/service-kit';
import { z } from 'zod';

export const envSchema = baseEnvSchema.extend({
  GATEWAY_URL: env
    .url(['http', 'https'])
    .describe(
      "the gateway's public API base, e.g. `http://127.0.0.1:8080/api/v1`: the storefront's only backend",
    ),
  GATEWAY_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(10_000)
    .describe('budget of one call to the gateway'),
  /** Locally the trace viewer of `make up`; in a cluster the Jaeger query UI. */
  TRACE_URL_TEMPLATE: z
    .string()
    .default('')
    .refine((value) => value === '' || value.includes('{traceId}'), {
      message: 'must contain {traceId}',
    })
    .describe(
      "where a trace is shown: `{traceId}` is replaced by the order's trace id; empty: no trace links",
    ),
  STOREFRONT_TEST_CONTROLS: env
    .flag(false)
    .describe(
      'test profile only: checkout offers "decline this payment" (the payment service\'s test rule)',
    ),
  STOREFRONT_DECLINE_METHOD: z
    .string()
    .regex(/^[a-z0-9_-]{1,64}$/)
    .default('declined_card')
    .describe('the payment method the payment service declines under its test controls'),
  COOKIE_SECURE: env
    .flag(false)
    .describe('cookies only over HTTPS (set behind a TLS-terminating ingress)'),
  ORDER_STREAM_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(200)
    .default(1_000)
    .describe("how often the order page's live stream asks the gateway while the saga is running"),
  ORDER_STREAM_MAX_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .default(600_000)
    .describe('how long one live stream stays open (the browser reconnects after)'),
  /** Who may tell the storefront its visitor's address, which it passes on to the gateway. */
  ...trustedProxyEnv,
});

export type StorefrontEnv = z.infer<typeof envSchema>;

/** The schema with its cross-field rules (what the service validates its environment with). */
export const storefrontEnvSchema = envSchema.superRefine(refineTrustedProxies);
