import os from 'node:os';
import path from 'node:path';
import { E2E_PROFILE } from './cli';

/** Where global set-up leaves the platform's connection info for the test workers. */
export const CONNECTION_FILE = path.join(
  os.tmpdir(),
  `ordermesh-e2e-${E2E_PROFILE}-${process.getuid?.() ?? 0}.json`,
);
