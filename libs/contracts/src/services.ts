/** Ordermesh service names: folder, Nx project, OTEL_SERVICE_NAME, Kafka consumer group, event `source`. */
export const SERVICE_NAMES = [
  'gateway',
  'user',
  'product',
  'inventory',
  'pricing',
  'order',
  'payment',
  'shipping',
  'notification',
] as const;

export type ServiceName = (typeof SERVICE_NAMES)[number];

export function isServiceName(value: string): value is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(value);
}

/**
 * What identifies each component of the platform that runs this workspace's code — ports, store,
 * what it uses — kept here once; `make manifest` (tools/platform/manifest.ts) writes the copies:
 * the chart's component ports and `uses`, the Dockerfile's EXPOSE lines, the service tables of
 * the READMEs and docs/conventions.md; the local platform (tools/platform/topology.ts) reads it.
 * What a service calls is its `config/grpc-calls.ts`; the env it needs, its `config/env.schema.ts`.
 * Ports are the dev profile's (the test profile shifts them, see topology.ts) and the chart's.
 */
export interface ComponentManifest {
  /** One line for tables and the chart's `@param`. */
  readonly summary: string;
  readonly ports: {
    /** gRPC API (internal services). */
    readonly grpc?: number;
    /** HTTP: health and metrics of an internal service; the public port of a public one. */
    readonly http: number;
    /** Readiness and metrics of a public service, never exposed by its Service or the ingress. */
    readonly management?: number;
  };
  /** Its own database: a PostgreSQL database (and role), a MongoDB database, a Redis db index. */
  readonly store?:
    { readonly postgres: string } | { readonly mongodb: string } | { readonly redis: number };
  /** Publishes or consumes Kafka events. */
  readonly kafka?: boolean;
  /** Signs and verifies the API's access tokens (JWT_SECRET). */
  readonly jwt?: boolean;
  /** A client of the gateway's public REST API (GATEWAY_URL). */
  readonly api?: boolean;
  /** Reached from outside: behind the ingress, its HTTP port is public. */
  readonly public?: boolean;
}

export const COMPONENT_MANIFEST = {
  gateway: {
    summary: 'Public REST gateway: auth, routing, rate limits, validation',
    ports: { http: 8080, management: 9490 },
    store: { redis: 0 },
    jwt: true,
    public: true,
  },
  user: {
    summary: 'Customers, credentials, sessions',
    ports: { grpc: 50051, http: 9401 },
    store: { postgres: 'user_svc' },
    kafka: true,
  },
  product: {
    summary: 'Catalogue, search, categories',
    ports: { grpc: 50052, http: 9402 },
    store: { mongodb: 'product' },
  },
  inventory: {
    summary: 'Stock, reservations',
    ports: { grpc: 50053, http: 9403 },
    store: { postgres: 'inventory_svc' },
    kafka: true,
  },
  pricing: {
    summary: 'Prices, discounts',
    ports: { grpc: 50054, http: 9404 },
    store: { postgres: 'pricing_svc' },
    kafka: true,
  },
  order: {
    summary: 'Orders and their saga',
    ports: { grpc: 50055, http: 9405 },
    store: { postgres: 'order_svc' },
    kafka: true,
  },
  payment: {
    summary: 'Authorizations, captures, refunds',
    ports: { grpc: 50056, http: 9406 },
    store: { postgres: 'payment_svc' },
    kafka: true,
  },
  shipping: {
    summary: 'Shipments',
    ports: { grpc: 50057, http: 9407 },
    store: { postgres: 'shipping_svc' },
    kafka: true,
  },
  notification: {
    summary: 'Customer notifications',
    ports: { grpc: 50058, http: 9408 },
    store: { redis: 1 },
    kafka: true,
  },
  storefront: {
    summary: "Web shop: server-rendered pages on the gateway's public API",
    ports: { http: 8081, management: 9491 },
    api: true,
    public: true,
  },
} as const satisfies Record<ServiceName | 'storefront', ComponentManifest>;

export type ComponentName = keyof typeof COMPONENT_MANIFEST;

/**
 * The V8 heap of every service process, the same in the chart (`default.heap`, written there by
 * `make manifest`, rendered into NODE_OPTIONS) and on the local platform: an old space bounded
 * inside the container's 384 MiB limit — without a bound V8 sizes it from the machine's memory
 * and lets a service grow to 500 MiB before it collects; at 128 MiB the collector ran so close to
 * the bound that the benchmark's event lag p99 was 1.2 s (docs/performance.md) — and a young
 * generation large enough that a request's short-lived garbage dies in scavenges instead of
 * being promoted.
 */
export const SERVICE_HEAP = { maxOldSpaceMiB: 192, maxSemiSpaceMiB: 16 } as const;

export interface HeapSettings {
  readonly maxOldSpaceMiB: number;
  readonly maxSemiSpaceMiB: number;
}

/** `--max-old-space-size=192 --max-semi-space-size=16`: what NODE_OPTIONS carries. */
export function heapNodeOptions(heap: HeapSettings = SERVICE_HEAP): string {
  return `--max-old-space-size=${heap.maxOldSpaceMiB} --max-semi-space-size=${heap.maxSemiSpaceMiB}`;
}

/**
 * How every service batches its log records on their way to the log store (the OTel SDK's batch
 * log record processor): every second like the spans, with room for the bursts of the load
 * suites. The same in the chart (`otel.logBatch`, written there by `make manifest`) and on the
 * local platform.
 */
export const LOG_BATCH = {
  scheduleDelayMs: 1000,
  maxQueueSize: 16384,
  maxExportBatchSize: 1024,
} as const;

/** The OTEL_BLRP_* variables of LOG_BATCH. */
export function logBatchEnv(batch: typeof LOG_BATCH = LOG_BATCH): Record<string, string> {
  return {
    OTEL_BLRP_SCHEDULE_DELAY: String(batch.scheduleDelayMs),
    OTEL_BLRP_MAX_QUEUE_SIZE: String(batch.maxQueueSize),
    OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: String(batch.maxExportBatchSize),
  };
}

/** "PostgreSQL `order_svc`", "MongoDB `product`", "Redis db 1", "–". */
export function describeStore(store: ComponentManifest['store']): string {
  if (!store) return '–';
  if ('postgres' in store) return `PostgreSQL \`${store.postgres}\``;
  if ('mongodb' in store) return `MongoDB \`${store.mongodb}\``;
  return `Redis db ${store.redis}`;
}
