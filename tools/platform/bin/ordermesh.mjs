#!/usr/bin/env node
// Entry of `npx ordermesh`. The platform is TypeScript run natively by Node >= 24 (type stripping).
// On an older host node, re-exec with the repo's own Node 24 (installed by tools/setup/node.sh).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REQUIRED_MAJOR = 24;
const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..', '..');
const major = Number(process.versions.node.split('.')[0]);

if (major < REQUIRED_MAJOR) {
  const localNode = join(repo, '.ordermesh', 'tools', 'node', 'bin', 'node');
  if (!existsSync(localNode)) {
    const setup = spawnSync('bash', [join(repo, 'tools', 'setup', 'node.sh')], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (setup.status !== 0 || !existsSync(localNode)) {
      console.error(
        `ordermesh: Node ${REQUIRED_MAJOR}+ is required (host has ${process.versions.node}) and tools/setup/node.sh failed`,
      );
      process.exit(1);
    }
  }
  const child = spawnSync(localNode, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: process.env,
  });
  if (child.signal) process.kill(process.pid, child.signal);
  process.exit(child.status ?? 1);
}

// kafkajs 2.2.4 sets negative timeouts on Node >= 23 (harmless, prints TimeoutNegativeWarning);
// the facts the platform reads from the workspace (libs/contracts/src/services.ts, each app's
// config/grpc-calls.ts) are ES modules in a package without "type" (the apps build to CommonJS),
// which Node notes as MODULE_TYPELESS_PACKAGE_JSON. Node's default printer for everything else.
const defaultWarningListeners = process.listeners('warning');
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name === 'TimeoutNegativeWarning' || w.code === 'MODULE_TYPELESS_PACKAGE_JSON') return;
  for (const l of defaultWarningListeners) l(w);
});

const { main } = await import(pathToFileURL(join(here, '..', 'cli.ts')).href);
await main(process.argv.slice(2));
// Do not wait for idle keep-alive sockets of probes.
process.exit(process.exitCode ?? 0);
