import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** The part of `ordermesh connection-info --json` these specs use. */
export interface PlatformInfo {
  profile: string;
  kafka: { brokers: string[] };
  postgres: {
    host: string;
    port: number;
    superuser: { user: string; password: string; url: string };
    databases: Record<string, { database: string; user: string; password: string; url: string }>;
  };
}

const REPO = path.resolve(__dirname, '..', '..', '..', '..');

/** Profile of the platform under test: E2E_PROFILE, ORDERMESH_PROFILE, else `test`. */
export function e2eProfile(): string {
  return process.env['E2E_PROFILE'] ?? process.env['ORDERMESH_PROFILE'] ?? 'test';
}

let cached: PlatformInfo | undefined;

/** Endpoints and credentials of the running platform, from the platform's own CLI. */
export function platformInfo(): PlatformInfo {
  if (cached) return cached;
  const cli = path.join(REPO, 'tools', 'platform', 'bin', 'ordermesh.mjs');
  const r = spawnSync(
    process.execPath,
    [cli, 'connection-info', '--json', '--profile', e2eProfile()],
    {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  if (r.status !== 0) {
    throw new Error(
      `ordermesh connection-info failed (exit ${r.status}): ${r.stderr || r.error?.message}`,
    );
  }
  cached = JSON.parse(r.stdout) as PlatformInfo;
  return cached;
}

/** Kafka bootstrap servers: KAFKA_BROKERS (comma list) if set, else the platform's. */
export function kafkaBrokers(): string[] {
  const fromEnv = process.env['KAFKA_BROKERS'];
  if (fromEnv)
    return fromEnv
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean);
  return platformInfo().kafka.brokers;
}

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
