import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ordermeshSync } from './cli';
import { CONNECTION_FILE } from './connection-file';
import { markLogOffsets } from './log-leaks';
import { warmUp } from './warm-up';

/**
 * Starts the whole platform on the test profile (its own ports and data) and seeds it, unless
 * E2E_REUSE_PLATFORM=1 says one is already up; then records how to reach it.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env['E2E_REUSE_PLATFORM'] !== '1') {
    // Before the platform starts: the log scan at teardown judges this run's lines only.
    markLogOffsets();
    const started = Date.now();
    process.stdout.write('\n[e2e] starting the test-profile platform …\n');
    try {
      process.stdout.write(ordermeshSync('up'));
      process.stdout.write(ordermeshSync('seed'));
      const info = JSON.parse(ordermeshSync('connection-info', '--json')) as {
        services: Record<string, { http: string }>;
      };
      await warmUp(info.services['gateway']!.http);
    } catch (error) {
      // Jest runs no teardown after a failed set-up: stop what did start, or it holds the ports
      // (and, in a clone that is deleted next, lingers without anyone to stop it).
      try {
        process.stdout.write(ordermeshSync('down'));
      } catch (downError) {
        process.stdout.write(
          `[e2e] down after the failed start failed too: ${String(downError)}\n`,
        );
      }
      throw error;
    }
    process.stdout.write(`[e2e] platform up in ${Math.round((Date.now() - started) / 1000)} s\n`);
  }
  mkdirSync(path.dirname(CONNECTION_FILE), { recursive: true });
  writeFileSync(CONNECTION_FILE, ordermeshSync('connection-info', '--json'), { mode: 0o600 });
}
