/**
 * How services find and spread calls over every replica of a downstream (docs/scaling.md):
 * clients resolve all replicas and balance per call (`round_robin`), servers close connections
 * after a maximum age so clients re-resolve and pick up replicas started after they connected.
 */

/** A `host:port` address (resolved by DNS, the default scheme). */
const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$/;
/** `dns:///host:port` or `dns:host:port` (grpc-js resolves every A/AAAA record). */
const DNS_TARGET = /^dns:(\/\/\/)?[A-Za-z0-9.-]+:\d{1,5}$/;
/** `ipv4:127.0.0.1:30053,127.0.0.1:30063`: a fixed list of addresses (the local platform's replicas). */
const IPV4_TARGET = /^ipv4:(\d{1,3}(\.\d{1,3}){3}:\d{1,5})(,\d{1,3}(\.\d{1,3}){3}:\d{1,5})*$/;

/** Whether `value` is a downstream gRPC target of a form this platform uses. */
export function isGrpcTarget(value: string): boolean {
  return HOST_PORT.test(value) || DNS_TARGET.test(value) || IPV4_TARGET.test(value);
}

/** The addresses of a target: one for a DNS name (resolved later), every one of an ipv4: list. */
export function targetAddresses(target: string): string[] {
  if (target.startsWith('ipv4:')) return target.slice('ipv4:'.length).split(',');
  return [target.replace(/^dns:(\/\/\/)?/, '')];
}

/**
 * Channel options of every outbound gRPC client. `round_robin` keeps a connection to every
 * address the resolver returns (every ready pod behind a headless Service, every address of an
 * `ipv4:` list) and sends each call to the next one; with a single address (a ClusterIP Service,
 * which the Istio sidecar balances per call) it behaves like the default `pick_first`.
 */
export const GRPC_CLIENT_CHANNEL_OPTIONS = {
  // grpc-js backs off up to 120 s between reconnects by default: a downstream that comes back
  // after an outage would stay unreachable for minutes. At most 1 s (±20 % jitter) between
  // attempts, so a restarted downstream is connected within about a second of listening (a
  // refused connect on loopback or to a Service without endpoints costs next to nothing).
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 1_000,
  'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
  // No service config from DNS TXT records: the one above is the only one.
  'grpc.service_config_disable_resolution': 1,
  // A dropped connection (max connection age, a replica gone) re-resolves at most this often
  // (grpc-js default 30 s), so a replica added by a scale-up is seen within seconds. It also
  // bounds how long a restarted downstream stays unreachable: at 5 s the gateway answered 503 for
  // up to 6 s after the order service was ready again, at 1 s for under 0.5 s (measured;
  // order-restart.e2e-spec.ts).
  'grpc.dns_min_time_between_resolutions_ms': 1_000,
} as const;

/** Servers close every connection after about this long (±10 % jitter, grpc-js). */
export const GRPC_MAX_CONNECTION_AGE_MS = 15_000;
/** …and let calls in flight on it finish for up to this long before closing it forcibly. */
export const GRPC_MAX_CONNECTION_AGE_GRACE_MS = 30_000;

/**
 * Channel options of every gRPC server: after GRPC_MAX_CONNECTION_AGE_MS a connection gets a
 * GOAWAY; the client reconnects and re-resolves the name, so a caller that connected before a
 * scale-up spreads its calls over the new replicas too. Calls in flight are not cut (the grace).
 */
export const GRPC_SERVER_CHANNEL_OPTIONS = {
  'grpc.max_connection_age_ms': GRPC_MAX_CONNECTION_AGE_MS,
  'grpc.max_connection_age_grace_ms': GRPC_MAX_CONNECTION_AGE_GRACE_MS,
} as const;
