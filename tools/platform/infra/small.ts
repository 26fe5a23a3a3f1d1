// FerretDB, Redis, Jaeger, VictoriaLogs and Prometheus: one process each, config rendered at every
// start.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseEnv, PlatformError, type Ctx, type Driver } from '../context.ts';
import { httpOk, mongoPing, redisPing } from '../probes.ts';
import { jaegerConfig, prometheusArgs, prometheusConfig, redisConf } from '../render.ts';
import {
  aptInstall,
  goBuild,
  run,
  sha256Files,
  stampMatches,
  which,
  writeStamp,
} from '../setup.ts';
import { mainPort, port } from '../topology.ts';

// --- Go-built tools (FerretDB, Jaeger) --------------------------------------------------------

interface GoTool {
  name: string;
  version: string;
  /** Package to build, relative to the tool module. */
  pkg: string;
  /** Build environment beside the caller's (e.g. CGO_ENABLED). */
  env?: NodeJS.ProcessEnv;
}

const FERRETDB: GoTool = { name: 'ferretdb', version: 'v1.24.2', pkg: '.' };
const JAEGER: GoTool = {
  name: 'jaeger',
  version: 'v1.75.0',
  pkg: 'github.com/jaegertracing/jaeger/cmd/jaeger',
};
/**
 * Pure Go, as upstream's release binaries: without cgo the zstd codec is klauspost/compress
 * instead of the bundled C library, so the build needs no C toolchain.
 */
export const VICTORIALOGS: GoTool = {
  name: 'victorialogs',
  version: 'v1.52.2',
  pkg: 'github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs',
  env: { CGO_ENABLED: '0' },
};

function ensureGoTool(ctx: Ctx, t: GoTool): string {
  const moduleDir = join(ctx.paths.repo, 'tools', 'platform', t.name);
  const bin = join(ctx.paths.toolsBin, t.name);
  const sources = ['go.mod', 'go.sum', ...(t.pkg === '.' ? ['main.go'] : [])].map((f) =>
    join(moduleDir, f),
  );
  const key = sha256Files(sources, `${t.version}${JSON.stringify(t.env ?? {})}`);
  if (existsSync(bin) && stampMatches(ctx.paths, t.name, key)) return bin;
  const started = Date.now();
  ctx.log(
    `${t.name}: building ${t.name} ${t.version} with Go into ${bin} (first build takes minutes; cached afterwards)`,
  );
  goBuild({ moduleDir, pkg: t.pkg, out: bin, what: `go build ${t.name}`, env: t.env });
  writeStamp(ctx.paths, t.name, key, {
    version: t.version,
    buildSeconds: Math.round((Date.now() - started) / 1000),
  });
  ctx.log(`${t.name}: built in ${Math.round((Date.now() - started) / 1000)}s`);
  return bin;
}

// --- Debian-packaged tools (Redis, Prometheus, Chromium) -------------------------------------------------

function debianBinary(cmd: string, pkg: string, why: string): string {
  const found = which(cmd) ?? (existsSync(`/usr/bin/${cmd}`) ? `/usr/bin/${cmd}` : null);
  if (found) return found;
  aptInstall([pkg], why);
  const after = which(cmd) ?? (existsSync(`/usr/bin/${cmd}`) ? `/usr/bin/${cmd}` : null);
  if (!after) throw new PlatformError(`${pkg} was installed but \`${cmd}\` is still not found`);
  return after;
}

/** Installs every missing Debian package in one apt-get run (used by `setup`). */
export function ensureDebianTools(): void {
  const missing: string[] = [];
  if (!which('redis-server') && !existsSync('/usr/bin/redis-server')) missing.push('redis-server');
  if (!which('prometheus') && !existsSync('/usr/bin/prometheus')) missing.push('prometheus');
  // The storefront's browser suite drives Debian's Chromium (Playwright downloads no browser here).
  if (!existsSync('/usr/bin/chromium')) missing.push('chromium');
  aptInstall(missing, 'Redis, Prometheus and the browser tests');
}

// --- drivers ---------------------------------------------------------------------------------

export const ferretdb: Driver = {
  name: 'ferretdb',
  stopSignal: 'SIGTERM',
  stopTimeoutMs: 10_000,
  readyTimeoutMs: 90_000,
  async ensureTools(ctx) {
    ensureGoTool(ctx, FERRETDB);
  },
  async prepare(ctx) {
    const bin = ensureGoTool(ctx, FERRETDB);
    const data = join(ctx.paths.data, 'ferretdb');
    mkdirSync(data, { recursive: true });
    return {
      command: bin,
      args: [
        `-listen-addr=127.0.0.1:${mainPort(ctx.ports, 'ferretdb')}`,
        `-sqlite-url=file:${data}/`,
        '-log-level=info',
      ],
      cwd: data,
      env: baseEnv(ctx),
    };
  },
  ready: (ctx) => mongoPing(mainPort(ctx.ports, 'ferretdb')),
  dataDirs: (ctx) => [join(ctx.paths.data, 'ferretdb')],
  endpoints: (ctx) => ({
    mongodb: `mongodb://127.0.0.1:${mainPort(ctx.ports, 'ferretdb')}/product`,
  }),
};

export const redis: Driver = {
  name: 'redis',
  stopSignal: 'SIGTERM',
  stopTimeoutMs: 10_000,
  readyTimeoutMs: 90_000,
  async ensureTools() {
    debianBinary('redis-server', 'redis-server', 'Redis');
  },
  async prepare(ctx) {
    const bin = debianBinary('redis-server', 'redis-server', 'Redis');
    const dir = join(ctx.paths.data, 'redis');
    const confDir = join(ctx.paths.config, 'redis');
    mkdirSync(dir, { recursive: true });
    mkdirSync(confDir, { recursive: true });
    const conf = join(confDir, 'redis.conf');
    writeFileSync(conf, redisConf({ port: mainPort(ctx.ports, 'redis'), dir }));
    return { command: bin, args: [conf], cwd: dir, env: baseEnv(ctx) };
  },
  ready: (ctx) => redisPing(mainPort(ctx.ports, 'redis')),
  dataDirs: (ctx) => [join(ctx.paths.data, 'redis')],
  endpoints: (ctx) => ({ redis: `redis://127.0.0.1:${mainPort(ctx.ports, 'redis')}` }),
};

export const jaeger: Driver = {
  name: 'jaeger',
  stopSignal: 'SIGTERM',
  stopTimeoutMs: 10_000,
  readyTimeoutMs: 90_000,
  async ensureTools(ctx) {
    ensureGoTool(ctx, JAEGER);
  },
  async prepare(ctx) {
    const bin = ensureGoTool(ctx, JAEGER);
    const dir = join(ctx.paths.config, 'jaeger');
    mkdirSync(dir, { recursive: true });
    const conf = join(dir, 'config.yaml');
    writeFileSync(conf, jaegerConfig(ctx.ports));
    // Belt and braces: no self-tracing through the OTel SDK's env defaults either.
    const env = {
      ...baseEnv(ctx),
      OTEL_SDK_DISABLED: 'true',
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_METRICS_EXPORTER: 'none',
    };
    return { command: bin, args: [`--config=${conf}`], cwd: dir, env };
  },
  ready: (ctx) => httpOk(`http://127.0.0.1:${port(ctx.ports, 'jaeger', 'ui')}/api/services`),
  dataDirs: () => [],
  endpoints: (ctx) => {
    const j = (k: string): number => port(ctx.ports, 'jaeger', k);
    return {
      ui: `http://127.0.0.1:${j('ui')}`,
      otlpHttp: `http://127.0.0.1:${j('otlpHttp')}`,
      otlpGrpc: `127.0.0.1:${j('otlpGrpc')}`,
    };
  },
};

/** VictoriaLogs' command line: loopback only, data in the profile's state, a week of logs. */
export function victorialogsArgs(opts: { port: number; dataDir: string }): string[] {
  return [
    `-httpListenAddr=127.0.0.1:${opts.port}`,
    `-storageDataPath=${opts.dataDir}`,
    '-retentionPeriod=7d',
    // Caches sized for a developer's machine that runs twenty other processes, not a log server.
    '-memory.allowedPercent=10',
    '-loggerLevel=WARN',
  ];
}

export const victorialogs: Driver = {
  name: 'victorialogs',
  stopSignal: 'SIGTERM',
  stopTimeoutMs: 15_000,
  readyTimeoutMs: 90_000,
  async ensureTools(ctx) {
    ensureGoTool(ctx, VICTORIALOGS);
  },
  async prepare(ctx) {
    const bin = ensureGoTool(ctx, VICTORIALOGS);
    const data = join(ctx.paths.data, 'victorialogs');
    mkdirSync(data, { recursive: true });
    return {
      command: bin,
      args: victorialogsArgs({ port: mainPort(ctx.ports, 'victorialogs'), dataDir: data }),
      cwd: data,
      env: baseEnv(ctx),
    };
  },
  ready: (ctx) => httpOk(`http://127.0.0.1:${mainPort(ctx.ports, 'victorialogs')}/health`),
  dataDirs: (ctx) => [join(ctx.paths.data, 'victorialogs')],
  endpoints: (ctx) => {
    const base = `http://127.0.0.1:${mainPort(ctx.ports, 'victorialogs')}`;
    return {
      ui: `${base}/select/vmui/`,
      query: `${base}/select/logsql/query`,
      otlpLogs: `${base}/insert/opentelemetry/v1/logs`,
    };
  },
};

function ruleGlob(ctx: Ctx): string | null {
  const dir = join(ctx.paths.repo, 'observability', 'prometheus', 'rules');
  return existsSync(dir) ? join(dir, '*.yml') : null;
}

/** The dashboards as console pages (http://…:9090/consoles/ordermesh/index.html), when present. */
function consoleDirs(ctx: Ctx): { templates: string; libraries: string } | null {
  const templates = join(ctx.paths.repo, 'observability', 'prometheus', 'consoles');
  const libraries = join(ctx.paths.repo, 'observability', 'prometheus', 'console_libraries');
  return existsSync(templates) && existsSync(libraries) ? { templates, libraries } : null;
}

/** Renders (and checks) the scrape configuration of the profile's services and their replicas. */
export function writePrometheusConfig(ctx: Ctx): string {
  const dir = join(ctx.paths.config, 'prometheus');
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'prometheus.yml');
  writeFileSync(
    conf,
    prometheusConfig({ ports: ctx.ports, ruleGlob: ruleGlob(ctx), profile: ctx.profile }),
  );
  const promtool = which('promtool') ?? '/usr/bin/promtool';
  if (existsSync(promtool))
    run(promtool, ['check', 'config', conf], { what: 'promtool check config' });
  return conf;
}

export const prometheus: Driver = {
  name: 'prometheus',
  stopSignal: 'SIGTERM',
  stopTimeoutMs: 15_000,
  readyTimeoutMs: 90_000,
  async ensureTools() {
    debianBinary('prometheus', 'prometheus', 'Prometheus');
  },
  async prepare(ctx) {
    const bin = debianBinary('prometheus', 'prometheus', 'Prometheus');
    const dir = join(ctx.paths.config, 'prometheus');
    const data = join(ctx.paths.data, 'prometheus');
    mkdirSync(data, { recursive: true });
    const conf = writePrometheusConfig(ctx);
    return {
      command: bin,
      args: prometheusArgs({
        configFile: conf,
        dataDir: data,
        port: mainPort(ctx.ports, 'prometheus'),
        consoles: consoleDirs(ctx),
      }),
      cwd: dir,
      env: baseEnv(ctx),
    };
  },
  ready: (ctx) => httpOk(`http://127.0.0.1:${mainPort(ctx.ports, 'prometheus')}/-/ready`),
  dataDirs: (ctx) => [join(ctx.paths.data, 'prometheus')],
  endpoints: (ctx) => ({
    ui: `http://127.0.0.1:${mainPort(ctx.ports, 'prometheus')}`,
    dashboards: `http://127.0.0.1:${mainPort(ctx.ports, 'prometheus')}/consoles/ordermesh/index.html`,
  }),
};
