import { execFileSync } from 'node:child_process';
import path from 'node:path';

// Global set-up and teardown run outside jest's module resolution (no @ordermesh/* aliases), so
// they drive the platform CLI directly.
const REPO_ROOT = path.resolve(__dirname, '../../../..');
export const E2E_PROFILE = process.env['ORDERMESH_PROFILE'] ?? 'test';

export function ordermeshCli(...args: string[]): string {
  return execFileSync(
    process.execPath,
    [path.join(REPO_ROOT, 'tools/platform/bin/ordermesh.mjs'), ...args, '--profile', E2E_PROFILE],
    {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
}
