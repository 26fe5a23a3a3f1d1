import { readFileSync } from 'node:fs';
import { ordermeshSync } from './cli';
import { CONNECTION_FILE } from './connection-file';
import { findLeaks, knownSecrets } from './log-leaks';

/**
 * "No request in the suite produces a 500": after every suite ran, the gateway's own request
 * metrics must show no 5xx other than 503/504 (which carry a clear body and Retry-After).
 */
async function assertNoServerErrors(): Promise<void> {
  const { services } = JSON.parse(readFileSync(CONNECTION_FILE, 'utf8')) as {
    services: Record<string, { management: string }>;
  };
  const text = await (await fetch(`${services['gateway']!.management}/metrics`)).text();
  const offending = text
    .split('\n')
    .filter((line) => line.startsWith('ordermesh_http_server_duration_seconds_count{'))
    .filter((line) => /status_code="5(?!0[34])\d\d"/.test(line) && !line.endsWith(' 0'));
  if (offending.length) {
    throw new Error(
      `the gateway answered with server errors during the suite:\n${offending.join('\n')}`,
    );
  }
}

/**
 * "No service logs a secret": every line every service wrote during the run is scanned for the
 * passwords, emails and tokens the tests sent (the secrets ledger) and for anything shaped like a
 * token, an email, a password hash or a card number.
 */
function assertNoLeakedSecrets(): void {
  const { services } = JSON.parse(readFileSync(CONNECTION_FILE, 'utf8')) as {
    services: Record<string, unknown>;
  };
  // The services, and PostgreSQL (whose error lines could quote a failed statement's values).
  const leaks = findLeaks([...Object.keys(services), 'postgres'], knownSecrets());
  if (leaks.length) {
    const listed = leaks.slice(0, 20).map((leak) => `  ${leak.file}:${leak.line} ${leak.kind}`);
    throw new Error(
      `services logged secrets or personal data during the suite (${leaks.length} lines):\n` +
        `${listed.join('\n')}\n(the run's lines start at the offsets in e2e-log-offsets.json)`,
    );
  }
}

export default async function globalTeardown(): Promise<void> {
  if (process.env['E2E_REUSE_PLATFORM'] === '1') return;
  try {
    await assertNoServerErrors();
    assertNoLeakedSecrets();
  } finally {
    if (process.env['E2E_KEEP_PLATFORM'] !== '1') process.stdout.write(ordermeshSync('down'));
  }
}
