import path from 'node:path';
import { E2E_PROFILE } from './cli';

/**
 * Where global set-up leaves the platform's connection info (it holds the profile's local
 * database passwords) for the test workers: inside the profile's git-ignored state folder.
 */
export const CONNECTION_FILE = path.resolve(
  __dirname,
  '../../../../.ordermesh/run',
  E2E_PROFILE,
  'e2e-connection.json',
);
