import { isIP } from 'node:net';

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
