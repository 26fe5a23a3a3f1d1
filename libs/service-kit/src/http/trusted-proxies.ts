import { isIP } from 'node:net';
import { z } from 'zod';

/** The names express (proxy-addr) knows for reserved ranges. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * `TRUSTED_PROXIES` as a list for express's `trust proxy`: each entry a named range, an address
 * or a subnet (`10.0.0.0/8`). Throws on anything else, so a typo fails start-up instead of
 * trusting nobody (or everybody).
 */
export function parseTrustedProxies(value: string): string[] {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (NAMED_RANGES.has(entry)) continue;
    const [address = '', prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (!family || !prefixOk || rest.length) {
      throw new Error(
        `"${entry}" is not an address, a subnet or one of ${[...NAMED_RANGES].join(', ')}`,
      );
    }
  }
  return entries;
}

/**
 * The value of express's `trust proxy` setting: how many hops, or which proxies, may set the
 * client address through X-Forwarded-For. `false` (nobody) unless configured.
 */
export function trustProxySetting(config: {
  TRUSTED_PROXY_HOPS: number;
  TRUSTED_PROXIES: string[];
}): number | string[] | false {
  if (config.TRUSTED_PROXY_HOPS > 0) return config.TRUSTED_PROXY_HOPS;
  if (config.TRUSTED_PROXIES.length) return config.TRUSTED_PROXIES;
  return false;
}

/**
 * The environment of a service facing clients through proxies (the gateway, the storefront): who
 * may tell it the client's address (X-Forwarded-For) — a number of proxy hops in front of it (the
 * cluster's Istio ingress: 1), or proxy addresses/subnets (`loopback`, `10.0.0.0/8`, …). Default:
 * nobody, so the address is the connection's peer and no client chooses its own rate-limit key.
 * At most one of the two (`refineTrustedProxies`).
 */
export const trustedProxyEnv = {
  TRUSTED_PROXY_HOPS: z.coerce
    .number()
    .int()
    .min(0)
    .max(10)
    .default(0)
    .describe(
      'proxies in front whose `X-Forwarded-For` entry is trusted, counted from the right (the chart sets 1 behind the Istio ingress)',
    ),
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
    })
    .describe(
      'or (not both): the proxies trusted by address, comma-separated (`loopback`, addresses, CIDRs); the client address is the nearest one in `X-Forwarded-For` that is not theirs',
    ),
};

/** The cross-field rule of `trustedProxyEnv`, for the schema's `superRefine`. */
export function refineTrustedProxies(
  config: { TRUSTED_PROXY_HOPS: number; TRUSTED_PROXIES: string[] },
  context: z.RefinementCtx,
): void {
  if (config.TRUSTED_PROXY_HOPS > 0 && config.TRUSTED_PROXIES.length > 0) {
    context.addIssue({
      code: 'custom',
      path: ['TRUSTED_PROXIES'],
      message: 'set TRUSTED_PROXY_HOPS or TRUSTED_PROXIES, not both',
    });
  }
}
