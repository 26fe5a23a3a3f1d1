import { writeFileSync } from 'node:fs';
import { ordermesh, ordermeshJson } from '@ordermesh/testing';
import { CONNECTION_FILE } from './connection-file';

/**
 * Starts the whole platform on the test profile (its own ports and data) unless
 * E2E_REUSE_PLATFORM=1 says one is already up, then records how to reach it.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env['E2E_REUSE_PLATFORM'] !== '1') {
    const started = Date.now();
    process.stdout.write('\n[e2e] starting the test-profile platform …\n');
    process.stdout.write(await ordermesh('up'));
    process.stdout.write(`[e2e] platform up in ${Math.round((Date.now() - started) / 1000)} s\n`);
  }
  writeFileSync(CONNECTION_FILE, JSON.stringify(await ordermeshJson('connection-info')));
}
