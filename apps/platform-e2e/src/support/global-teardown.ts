import { readFileSync } from 'node:fs';
import { ordermeshCli } from './cli';
import { CONNECTION_FILE } from './connection-file';

/**
 * "No request in the suite produces a 500": after every suite ran, the gateway's own request
 * metrics must show no 5xx other than 503/504 (which carry a clear body and Retry-After).
 */
async function assertNoServerErrors(): Promise<void> {
  const { services } = JSON.parse(readFileSync(CONNECTION_FILE, 'utf8')) as {
    services: Record<string, { http: string }>;
  };
  const text = await (await fetch(`${services['gateway']!.http}/metrics`)).text();
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

export default async function globalTeardown(): Promise<void> {
  if (process.env['E2E_REUSE_PLATFORM'] === '1') return;
  try {
    await assertNoServerErrors();
  } finally {
    if (process.env['E2E_KEEP_PLATFORM'] !== '1') process.stdout.write(ordermeshCli('down'));
  }
}
