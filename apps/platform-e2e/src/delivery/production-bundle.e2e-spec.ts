import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, ordermeshJson } from '@ordermesh/testing';
import { startServiceProcess } from '../support/service-process';

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
    const local = await ordermeshJson<Record<string, string>>('env', service, '--reveal');
    // Production refuses the published local admin password (productionCredentialProblems).
    const { ORDERMESH_ADMIN_PASSWORD: _published, ...env } = local;
    const bundle = path.join(work, service);
    const resolved = execFileSync(process.execPath, ['-p', "require.resolve('@nestjs/core')"], {
      cwd: bundle,
      encoding: 'utf8',
    });
    expect(resolved.startsWith(work)).toBe(true);

    const started = await startServiceProcess({
      cwd: bundle,
      entry: `apps/${service}/src/main.js`,
      env: { ...env, NODE_ENV: 'production', OTEL_SDK_DISABLED: 'true' },
      what: `${service} bundle`,
    });
    try {
      expect(started.live).toEqual({ status: 'up' });
    } finally {
      await started.stop();
    }
  });

  it.each([
    ['the published admin password', 'ORDERMESH_ADMIN_PASSWORD', 'ordermesh-admin-local'],
    ['a placeholder JWT secret', 'JWT_SECRET', 'changeme-changeme-changeme-changeme'],
  ])('gateway in production refuses %s: exits 1 naming it, never echoing it', async (_w, k, v) => {
    const env = await ordermeshJson<Record<string, string>>('env', 'gateway', '--reveal');
    const attempt = startServiceProcess({
      cwd: path.join(work, 'gateway'),
      entry: 'apps/gateway/src/main.js',
      env: { ...env, [k]: v, NODE_ENV: 'production', OTEL_SDK_DISABLED: 'true' },
      what: 'gateway bundle with a development credential',
    });
    const failure = await attempt.then(
      async (started) => {
        await started.stop();
        throw new Error('the gateway started with a development credential');
      },
      (error: unknown) => (error as Error).message,
    );
    expect(failure).toMatch(new RegExp(`exited 1: [\\s\\S]*${k} is [^\\n]*refused in production`));
    expect(failure).not.toContain(v);
  });
});
