import { ordermeshCli } from './cli';

export default async function globalTeardown(): Promise<void> {
  if (process.env['E2E_REUSE_PLATFORM'] === '1' || process.env['E2E_KEEP_PLATFORM'] === '1') return;
  process.stdout.write(ordermeshCli('down'));
}
