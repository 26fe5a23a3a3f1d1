import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { E2E_PROFILE, leakKinds } from './cli';

// The paths are the ones libs/testing writes (SECRETS_LEDGER) and tools/platform logs to.
const STATE = path.resolve(__dirname, '../../../../.ordermesh/run', E2E_PROFILE);
export const LOG_DIR = path.join(STATE, 'logs');
export const SECRETS_LEDGER = path.join(STATE, 'e2e-secrets.jsonl');
const OFFSETS_FILE = path.join(STATE, 'e2e-log-offsets.json');

export interface Leak {
  file: string;
  line: number;
  kind: string;
}

/** The secrets a run's tests sent (the ledger) and the seeded accounts' local passwords. */
export function knownSecrets(): string[] {
  const recorded = existsSync(SECRETS_LEDGER)
    ? readFileSync(SECRETS_LEDGER, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as string)
    : [];
  const seeded = [
    process.env['ORDERMESH_ADMIN_PASSWORD'] || 'ordermesh-admin-local',
    'ordermesh-demo',
  ];
  return [...new Set([...recorded, ...seeded])];
}

/** Where each log file ends now: the run's own lines start there (earlier runs are not judged). */
export function markLogOffsets(): void {
  mkdirSync(STATE, { recursive: true });
  const offsets: Record<string, number> = {};
  if (existsSync(LOG_DIR)) {
    for (const name of readdirSync(LOG_DIR))
      offsets[name] = statSync(path.join(LOG_DIR, name)).size;
  }
  writeFileSync(OFFSETS_FILE, JSON.stringify(offsets));
  writeFileSync(SECRETS_LEDGER, '', { mode: 0o600 });
}

function offsetsOf(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(OFFSETS_FILE, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

/**
 * Every line of the given services' logs written since markLogOffsets that holds one of the
 * secrets (verbatim) or anything of a secret's shape. The secret itself is never reported.
 */
export function findLeaks(
  services: readonly string[],
  secrets: readonly string[],
  logDir = LOG_DIR,
  offsets: Record<string, number> = offsetsOf(),
): Leak[] {
  const leaks: Leak[] = [];
  for (const service of services) {
    const file = path.join(logDir, `${service}.log`);
    if (!existsSync(file)) continue;
    const content = readFileSync(file);
    const from =
      (offsets[`${service}.log`] ?? 0) <= content.length ? (offsets[`${service}.log`] ?? 0) : 0;
    const lines = content.subarray(from).toString('utf8').split('\n');
    lines.forEach((text, index) => {
      const at = { file: path.basename(file), line: index + 1 };
      for (const kind of leakKinds(text, secrets)) leaks.push({ ...at, kind });
    });
  }
  return leaks;
}
