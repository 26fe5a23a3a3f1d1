import { COMPONENT_MANIFEST, type ComponentName } from '@ordermesh/contracts';
import { z } from 'zod';
import { isGrpcTarget } from '../grpc/channel';

/** A configuration problem found at start-up; the message names every offending variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * The published local credentials (README, tools/seed, tools/platform topology.ts): fine on a
 * developer's loopback platform, never in production.
 */
export const DEVELOPMENT_PASSWORDS: readonly string[] = ['ordermesh-admin-local', 'ordermesh-demo'];
/**
 * Placeholders that only ever mean "not set": the whole value made of such words, separators and
 * digits (`changeme`, `secret-secret-123` …). Whole-value only: a random secret that happens to
 * begin with `dev` or `test` is not refused.
 */
const PLACEHOLDER =
  /^(?:(?:change-?me|changeit|secret|password|dev|development|test|example|ordermesh|jwt)[-_. ]?\d*)+$/i;

/**
 * In production (NODE_ENV=production, as the chart and the images run every service) a service
 * refuses to start with a development credential: a JWT secret that is a published password, a
 * placeholder or all but a few repeated characters (anyone could sign tokens with it), or the
 * local admin password. Never the value itself in the message.
 */
export function productionCredentialProblems(env: NodeJS.ProcessEnv): string[] {
  if ((env['NODE_ENV'] ?? 'production') !== 'production') return [];
  const problems: string[] = [];
  const secret = env['JWT_SECRET'];
  if (
    secret !== undefined &&
    (DEVELOPMENT_PASSWORDS.some((p) => secret.includes(p)) ||
      PLACEHOLDER.test(secret) ||
      new Set(secret).size < 10)
  ) {
    problems.push(
      'JWT_SECRET is a development or placeholder value: refused in production (NODE_ENV=production)',
    );
  }
  const admin = env['ORDERMESH_ADMIN_PASSWORD'];
  if (admin !== undefined && DEVELOPMENT_PASSWORDS.includes(admin)) {
    problems.push(
      'ORDERMESH_ADMIN_PASSWORD is the published local password: refused in production (NODE_ENV=production)',
    );
  }
  return problems;
}

/** Validates the environment against a service's schema; throws ConfigError listing every problem. */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  const credentials = productionCredentialProblems(env);
  if (result.success && credentials.length === 0) return result.data;
  throw new ConfigError([
    ...(result.success
      ? []
      : result.error.issues.map((issue) => {
          const name = issue.path.join('.') || '(environment)';
          return issue.code === 'invalid_type' && env[name] === undefined
            ? `${name} is required`
            : `${name}: ${issue.message}`;
        })),
    ...credentials,
  ]);
}

const hostPort = /^[A-Za-z0-9.-]+:\d{1,5}$/;

const url = (protocols: readonly string[]) =>
  z
    .string()
    .url()
    .refine((value) => protocols.some((p) => value.startsWith(`${p}://`)), {
      message: `must be a ${protocols.join(' or ')} URL`,
    });

/** Comma-separated `host:port` list, e.g. KAFKA_BROKERS. */
const hostList = () =>
  z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(hostPort, 'each entry must be host:port')).min(1));

/** The components whose own store is a PostgreSQL database (the component manifest's `store`). */
type PostgresComponent = {
  [K in ComponentName]: (typeof COMPONENT_MANIFEST)[K] extends { store: { postgres: string } }
    ? K
    : never;
}[ComponentName];

/**
 * Building blocks for the services' env schemas, so every service spells a setting the same way.
 * Every variable of a schema ends its chain with `.describe('…')` (zod 4 keeps the text per schema
 * instance, so after `.default()`/`.optional()`): `make env-docs` writes each service README's env
 * table from the schema (tools/build/env-docs.mjs). The helpers of shared variables describe them.
 */
export const env = {
  port: () => z.coerce.number().int().min(1).max(65535),
  /** `<SERVICE>_GRPC_ADDR`: a downstream gRPC target (the forms of `isGrpcTarget`). */
  grpcAddr: () =>
    z
      .string()
      .refine(isGrpcTarget, 'must be host:port, dns:///host:port or ipv4:ip:port[,ip:port…]')
      .describe(
        'gRPC target of the service it names: `host:port`, `dns:///host:port` (a headless Service) or `ipv4:ip:port,…` (fixed replicas)',
      ),
  url,
  /** `DATABASE_URL` of a service with a PostgreSQL database, which the component manifest names. */
  postgresUrl: (service: PostgresComponent) =>
    url(['postgres', 'postgresql']).describe(
      `\`postgres://\` URL of the \`${COMPONENT_MANIFEST[service].store.postgres}\` database`,
    ),
  hostList,
  /** `KAFKA_BROKERS`. */
  kafkaBrokers: () =>
    hostList().describe('Kafka brokers to bootstrap from: comma-separated `host:port`'),
  durationMs: (fallback: number) => z.coerce.number().int().min(0).default(fallback),
  flag: (fallback: boolean) =>
    z
      .enum(['true', 'false', 'enabled', 'disabled', '1', '0'])
      .default(fallback ? 'true' : 'false')
      .transform((value) => value === 'true' || value === 'enabled' || value === '1'),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
};

/** Settings every service has. */
export const baseEnvSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'])
    .default('production')
    .describe(
      '`production` (as the chart and the images run every service) refuses development credentials (`JWT_SECRET`, `ORDERMESH_ADMIN_PASSWORD`)',
    ),
  LOG_LEVEL: env.logLevel().describe('lowest level the service logs (JSON lines, pino)'),
  HOST: z
    .string()
    .default('127.0.0.1')
    .describe(
      'address every server of the service binds (HTTP, gRPC, management): loopback, so a service started by hand is not on the network; the chart sets `0.0.0.0` (a pod answers on its own address)',
    ),
  HTTP_PORT: env
    .port()
    .describe(
      'HTTP server: liveness, readiness and metrics (only liveness when `MANAGEMENT_PORT` is set); the public port of the gateway and the storefront',
    ),
  /** The management server: ../health/management.ts. */
  MANAGEMENT_PORT: env
    .port()
    .optional()
    .describe(
      'readiness, metrics and liveness on a port of their own that no API client reaches (the chart and `make up` set it for the public services); unset: on `HTTP_PORT`',
    ),
  SHUTDOWN_TIMEOUT_MS: env
    .durationMs(10_000)
    .describe(
      'most a graceful shutdown (SIGTERM) may take: readiness off at once, then consumers, servers and pools close',
    ),
});

/** Settings of a service that serves gRPC. */
export const grpcServiceEnvSchema = baseEnvSchema.extend({
  GRPC_PORT: env.port().describe('gRPC server (the API, health)'),
});

export type BaseEnv = z.infer<typeof baseEnvSchema>;
export type GrpcServiceEnv = z.infer<typeof grpcServiceEnvSchema>;
