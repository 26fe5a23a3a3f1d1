// The release as its users reach it: through port-forwards to the gateway, Jaeger and Prometheus.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { SERVICE_NAMES } from '@ordermesh/contracts';
import { ApiClient } from '@ordermesh/testing';
import { kubectl, lastingForward, ROOT, type Forward } from './cluster';

/** The nine services whose pods, spans and scrapes the specs look for. */
export const SERVICES = SERVICE_NAMES;

const execFileAsync = promisify(execFile);

const forwards = new Map<string, Promise<Forward>>();

/** One port-forward per Service port for the whole test file, lasting across rollouts. */
export function forward(service: string, port: number): Promise<Forward> {
  const key = `${service}:${port}`;
  let f = forwards.get(key);
  if (!f) {
    f = lastingForward(`svc/${service}`, port);
    forwards.set(key, f);
  }
  return f;
}

export async function closeForwards(): Promise<void> {
  for (const f of forwards.values()) (await f.catch(() => undefined))?.close();
  forwards.clear();
}

export async function gateway(): Promise<ApiClient> {
  return new ApiClient((await forward('gateway', 8080)).url);
}

/**
 * The admin the seed creates (over the user service's internal gRPC API, as `make up` does); its
 * password is made once per run and kept beside the results, so every spec file signs in alike.
 */
export const ADMIN = { email: 'admin@ordermesh.local', password: adminPassword() };

function adminPassword(): string {
  if (process.env['ORDERMESH_ADMIN_PASSWORD']) return process.env['ORDERMESH_ADMIN_PASSWORD'];
  const file = path.join(ROOT, '.ordermesh/tmp/cluster-e2e-admin-password');
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `cluster-${randomBytes(12).toString('hex')}`, { mode: 0o600 });
  }
  return readFileSync(file, 'utf8');
}

/** `tools/seed/seed.ts` against the release: the admin, a demo customer and the demo catalogue. */
export async function seed(): Promise<void> {
  const [gw, user] = await Promise.all([forward('gateway', 8080), forward('user', 50051)]);
  // Asynchronous: the port-forwards are served by this process's event loop.
  await execFileAsync(
    process.execPath,
    [
      path.join(ROOT, 'tools/seed/seed.ts'),
      '--gateway',
      gw.url,
      '--user-grpc',
      `127.0.0.1:${user.port}`,
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ORDERMESH_ADMIN_EMAIL: ADMIN.email,
        ORDERMESH_ADMIN_PASSWORD: ADMIN.password,
      },
    },
  );
}

export function secretValue(name: string, key: string): string {
  const b64 = kubectl(['-n', 'ordermesh', 'get', 'secret', name, '-o', `jsonpath={.data.${key}}`]);
  return Buffer.from(b64, 'base64').toString('utf8');
}

/** A query on one service's database in the release's PostgreSQL (as its superuser). */
export async function sql<R>(database: string, text: string, params: unknown[] = []): Promise<R[]> {
  const pg = await forward('postgresql', 5432);
  const client = new Client({
    host: '127.0.0.1',
    port: pg.port,
    user: 'postgres',
    password: secretValue('postgresql-credentials', 'postgres-password'),
    database,
    connectionTimeoutMillis: 10_000,
  });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as R[];
  } finally {
    await client.end();
  }
}
