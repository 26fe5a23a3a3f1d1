import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { E2E_PROFILE, REPO_ROOT } from './platform';

/**
 * Every password, email and token the e2e suites send through ApiClient, one JSON string a line.
 * After the run, global teardown scans every service's log for each of them (a logged secret fails
 * the run). Kept in the profile's git-ignored state folder; global teardown computes the same
 * path (it runs without the @ordermesh/* aliases).
 */
export const SECRETS_LEDGER = path.join(
  REPO_ROOT,
  '.ordermesh/run',
  E2E_PROFILE,
  'e2e-secrets.jsonl',
);

export function recordSecrets(...values: (string | undefined)[]): void {
  const lines = values.filter((value): value is string => !!value && value.length >= 6);
  if (!lines.length) return;
  try {
    mkdirSync(path.dirname(SECRETS_LEDGER), { recursive: true });
    appendFileSync(SECRETS_LEDGER, lines.map((value) => `${JSON.stringify(value)}\n`).join(''), {
      mode: 0o600,
    });
  } catch {
    // Outside a checkout (no state folder to write): nothing will scan for them either.
  }
}
