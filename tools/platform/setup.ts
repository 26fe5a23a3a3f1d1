// Installing and building the infrastructure tools, with version stamps so a second run is fast.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PlatformError } from './context.ts';
import type { Paths } from './state.ts';

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export function which(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (!dir) continue;
    const p = join(dir, cmd);
    if (existsSync(p)) return p;
  }
  return null;
}

export function requireCommand(cmd: string, why: string, hint: string): string {
  const p = which(cmd);
  if (!p)
    throw new PlatformError(
      `prerequisite missing: \`${cmd}\` is not on PATH (needed for ${why}). ${hint}`,
    );
  return p;
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a command synchronously, capturing output; throws with the output tail when it fails. */
export function run(
  cmd: string,
  args: string[],
  opts: SpawnSyncOptions & { what?: string } = {},
): RunResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
  if (r.error)
    throw new PlatformError(`${opts.what ?? cmd}: cannot run ${cmd}: ${r.error.message}`);
  const res = {
    status: r.status ?? 1,
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
  };
  if (res.status !== 0) {
    const tail = `${res.stdout}\n${res.stderr}`.trim().split('\n').slice(-40).join('\n');
    throw new PlatformError(
      `${opts.what ?? cmd} failed (exit ${res.status}): ${cmd} ${args.join(' ')}`,
      tail,
    );
  }
  return res;
}

/** Runs a long command with its output streamed to the terminal (stderr), e.g. builds. */
export function runStreaming(
  cmd: string,
  args: string[],
  opts: SpawnSyncOptions & { what: string },
): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', process.stderr, process.stderr], ...opts });
  if (r.error) throw new PlatformError(`${opts.what}: cannot run ${cmd}: ${r.error.message}`);
  if (r.status !== 0)
    throw new PlatformError(`${opts.what} failed (exit ${r.status}): ${cmd} ${args.join(' ')}`);
}

export function sha256Files(files: string[], extra = ''): string {
  const h = createHash('sha256');
  for (const f of files) h.update(f).update('\0').update(readFileSync(f)).update('\0');
  h.update(extra);
  return h.digest('hex').slice(0, 16);
}

// --- stamps ----------------------------------------------------------------------------------

function stampFile(p: Pick<Paths, 'stamps'>, name: string): string {
  return join(p.stamps, `${name}.json`);
}

export function stampMatches(p: Pick<Paths, 'stamps'>, name: string, key: string): boolean {
  try {
    return (JSON.parse(readFileSync(stampFile(p, name), 'utf8')) as { key: string }).key === key;
  } catch {
    return false;
  }
}

export function writeStamp(
  p: Pick<Paths, 'stamps'>,
  name: string,
  key: string,
  info: Record<string, unknown> = {},
): void {
  mkdirSync(p.stamps, { recursive: true });
  writeFileSync(
    stampFile(p, name),
    `${JSON.stringify({ key, at: new Date().toISOString(), ...info }, null, 2)}\n`,
  );
}

// --- prerequisites ---------------------------------------------------------------------------

export function javaMajor(): number {
  requireCommand(
    'java',
    'Kafka',
    'Install a Java 17+ runtime (Debian: apt-get install openjdk-17-jre-headless).',
  );
  const r = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${r.stderr}${r.stdout}`);
  if (!m) return 0;
  return m[1] === '1' ? Number(m[2]) : Number(m[1]);
}

export function requireJava17(): void {
  const major = javaMajor();
  if (major < 17)
    throw new PlatformError(
      `prerequisite missing: Kafka needs Java 17 or newer, \`java -version\` says ${major}.`,
    );
}

export function requireGo(why = 'building FerretDB, Jaeger and VictoriaLogs'): string {
  return requireCommand(
    'go',
    why,
    'Install Go 1.24+ (https://go.dev/doc/install) and put it on PATH.',
  );
}

/** `go build` of a package of a tool module (a folder with go.mod/go.sum) into `out`. */
export function goBuild(opts: {
  moduleDir: string;
  pkg: string;
  out: string;
  what: string;
  /** Added to the environment (e.g. CGO_ENABLED). */
  env?: NodeJS.ProcessEnv;
}): void {
  requireGo();
  mkdirSync(join(opts.out, '..'), { recursive: true });
  const tmp = `${opts.out}.${process.pid}.tmp`;
  runStreaming('go', ['build', '-o', tmp, opts.pkg], {
    what: opts.what,
    cwd: opts.moduleDir,
    env: { ...process.env, ...opts.env, GOFLAGS: '-buildvcs=false -mod=readonly' },
  });
  run('mv', ['-f', tmp, opts.out]);
}

/**
 * `go install <pkg>@<version>` into `out` (for a module whose own go.mod builds as it is: no
 * replace directives). `flags` go before the package (e.g. `-trimpath`, `-ldflags=…`); `env` is
 * added to the environment (e.g. CGO_ENABLED, GOTOOLCHAIN). Installs into a
 * private GOBIN next to `out`, then renames, so `out` is never half written.
 */
export function goInstall(opts: {
  pkg: string;
  version: string;
  out: string;
  what: string;
  flags?: string[];
  env?: NodeJS.ProcessEnv;
}): void {
  requireGo(opts.what);
  const gobin = `${opts.out}.${process.pid}.gobin`;
  rmSync(gobin, { recursive: true, force: true });
  mkdirSync(gobin, { recursive: true });
  try {
    runStreaming('go', ['install', ...(opts.flags ?? []), `${opts.pkg}@${opts.version}`], {
      what: opts.what,
      cwd: gobin, // outside any module: pkg@version ignores the current go.mod anyway
      env: { GOFLAGS: '-buildvcs=false', ...process.env, ...opts.env, GOBIN: gobin, GOWORK: 'off' },
    });
    run('mv', ['-f', join(gobin, opts.pkg.split('/').at(-1)!), opts.out]);
  } finally {
    rmSync(gobin, { recursive: true, force: true });
  }
}

// --- Debian packages -------------------------------------------------------------------------

let aptUpdated = false;

/**
 * Installs Debian packages (root only) without starting their services: the platform runs its own
 * instances on its own ports, so a system redis/prometheus must not grab the dev ports.
 */
/** Held around every apt-get run of the project's scripts (flock). */
const APT_LOCK = '/tmp/ordermesh-apt.lock';

export function aptInstall(pkgs: string[], why: string): void {
  if (pkgs.length === 0) return;
  if (!isRoot()) {
    throw new PlatformError(
      `prerequisite missing: ${pkgs.join(', ')} (for ${why}). Install them (Debian/Ubuntu: sudo apt-get install -y --no-install-recommends ${pkgs.join(' ')}) and run again.`,
    );
  }
  requireCommand('apt-get', why, `Install ${pkgs.join(', ')} with your package manager.`);
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !existsSync(policy);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    if (ownPolicy)
      writeFileSync(
        policy,
        '#!/bin/sh\n# ordermesh setup: do not start services while installing\nexit 101\n',
        { mode: 0o755 },
      );
    // Several set-ups (platform, cluster binaries, images) may run apt at once: one at a time
    // (apt-get update takes the package lists' lock and does not wait for it), and dpkg's lock
    // waited for should anything else hold it.
    const apt = (args: string[], what: string) =>
      run('flock', ['-w', '900', APT_LOCK, 'apt-get', '-o', 'DPkg::Lock::Timeout=600', ...args], {
        env,
        what,
      });
    if (!aptUpdated) {
      process.stderr.write('  apt-get update\n');
      apt(['update', '-q'], 'apt-get update');
      aptUpdated = true;
    }
    process.stderr.write(`  apt-get install ${pkgs.join(' ')}\n`);
    apt(
      ['install', '-y', '-q', '--no-install-recommends', ...pkgs],
      `apt-get install ${pkgs.join(' ')}`,
    );
  } finally {
    if (ownPolicy) rmSync(policy, { force: true });
  }
  // On a systemd host, keep the distro's own units from starting at boot on our dev ports.
  if (existsSync('/run/systemd/system') && which('systemctl')) {
    const units = pkgs.map((p) => (p === 'redis-server' ? 'redis-server.service' : `${p}.service`));
    spawnSync('systemctl', ['disable', '--now', ...units], { stdio: 'ignore' });
  }
}
