import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, ordermeshJson, waitFor } from '@ordermesh/testing';

const SERVICES = [
  'gateway',
  'user',
  'product',
  'inventory',
  'pricing',
  'order',
  'payment',
  'shipping',
  'notification',
];

/** A free loopback port. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * What the container image does, without Docker: package each service (its code, the libs it
 * reaches, a package.json of exactly its production dependencies), install production
 * dependencies only, outside the repository, and start it with `node` — it must answer liveness.
 */
describe('production bundles', () => {
  let work: string;
  const manifests = new Map<string, { dependencies: Record<string, string> }>();

  beforeAll(() => {
    work = mkdtempSync(path.join(os.tmpdir(), 'ordermesh-bundles-'));
    const all: Record<string, string> = {};
    for (const service of SERVICES) {
      execFileSync(process.execPath, ['tools/build/build.mjs', '--service', service, '--package'], {
        cwd: REPO_ROOT,
        stdio: 'pipe',
      });
      const bundle = path.join(REPO_ROOT, 'dist/package', service);
      cpSync(bundle, path.join(work, service), { recursive: true });
      const manifest = JSON.parse(readFileSync(path.join(bundle, 'package.json'), 'utf8'));
      manifests.set(service, manifest);
      Object.assign(all, manifest.dependencies);
    }
    // One production install shared by the bundles (they sit below it), from the npm cache.
    writeFileSync(
      path.join(work, 'package.json'),
      JSON.stringify({ name: 'bundles', private: true, dependencies: all }),
    );
    execFileSync(
      'npm',
      ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'],
      { cwd: work, stdio: 'pipe' },
    );
  }, 300_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('lists only production dependencies that package.json declares', () => {
    const root = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    for (const [service, manifest] of manifests) {
      for (const [name, version] of Object.entries(manifest.dependencies)) {
        expect({ service, name, version }).toEqual({
          service,
          name,
          version: root.dependencies[name],
        });
      }
    }
  });

  it.each(SERVICES)('%s starts from its bundle and answers liveness', async (service) => {
    const env = await ordermeshJson<Record<string, string>>('env', service, '--reveal');
    const httpPort = await freePort();
    const grpcPort = await freePort();
    const bundle = path.join(work, service);
    const resolved = execFileSync(process.execPath, ['-p', "require.resolve('@nestjs/core')"], {
      cwd: bundle,
      encoding: 'utf8',
    });
    expect(resolved.startsWith(work)).toBe(true);

    let child: ChildProcess | undefined;
    let output = '';
    try {
      child = spawn(process.execPath, [`apps/${service}/src/main.js`], {
        cwd: bundle,
        env: {
          PATH: process.env['PATH'],
          ...env,
          NODE_ENV: 'production',
          HTTP_PORT: String(httpPort),
          GRPC_PORT: String(grpcPort),
          OTEL_SDK_DISABLED: 'true',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const live = await waitFor(
        async () => {
          if (child!.exitCode !== null)
            throw new Error(`exited ${child!.exitCode}: ${output.slice(-2000)}`);
          const response = await fetch(`http://127.0.0.1:${httpPort}/health/live`);
          return response.status === 200 ? response.json() : undefined;
        },
        { timeoutMs: 60_000, what: `${service} liveness` },
      );
      expect(live).toEqual({ status: 'up' });
    } finally {
      child?.kill('SIGTERM');
      await new Promise((resolve) =>
        child?.exitCode !== null ? resolve(null) : child.once('exit', resolve),
      );
    }
  });
});
