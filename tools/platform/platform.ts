// The orchestrator behind the CLI and the programmatic API.
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PlatformError, type Ctx, type Driver } from './context.ts';
import { kafka } from './infra/kafka.ts';
import { postgres, PG_SUPERUSER } from './infra/postgres.ts';
import {
  ensureDebianTools,
  ferretdb,
  jaeger,
  prometheus,
  redis,
  victorialogs,
  writePrometheusConfig,
} from './infra/small.ts';
import { CALL_GRAPH, callersOf } from './calls.ts';
import { zipkin } from './infra/zipkin.ts';
import {
  groupMembers,
  isAlive,
  killGroup,
  pidFile,
  portHolders,
  readCmdline,
  readPidRecord,
  readProcStat,
  removePidFile,
  runningPid,
  spawnDetached,
  stopGroup,
} from './proc.ts';
import { checkBuilt, computeServiceEnv, serviceDriver } from './services.ts';
import {
  ensureDirs,
  loadSecrets,
  loadState,
  logFile,
  paths,
  repoHash,
  REPO_ROOT,
  saveState,
  type Paths,
} from './state.ts';
import {
  allPorts,
  COMPONENTS,
  dbName,
  getComponent,
  getService,
  INFRA_NAMES,
  mainPort,
  managementPort,
  port,
  portsOf,
  maskEnv,
  parseReplicaName,
  POSTGRES_SERVICES,
  postgresUrl,
  replicaName,
  replicasOf,
  REPLICA_SEPARATOR,
  resolvePorts,
  checkReplicas,
  SERVICE_NAMES,
  profileComponents,
  startWaves,
  withDependencies,
  type ComponentKind,
  type PlatformSecrets,
  type PortMap,
  type Profile,
} from './topology.ts';

export interface PlatformOptions {
  /** Environment to read overrides from (ports, admin credentials). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  repo?: string;
  /** Progress messages. Default: stderr. */
  log?: (line: string) => void;
}

export interface StatusRow {
  /** The component, or a replica of a scaled service beyond the first (`inventory#2`). */
  component: string;
  kind: ComponentKind;
  /** Services: which service, which replica (1-based) and how many the service runs. */
  service?: string;
  replica?: number;
  replicas?: number;
  ports: Record<string, number>;
  pid: number | null;
  state: 'running' | 'stopped';
  health: 'up' | 'down';
}

export interface DownReport {
  ok: boolean;
  stopped: string[];
  leftovers: string[];
}

export interface ConnectionInfo {
  profile: Profile;
  kafka: { brokers: string[] };
  postgres: {
    host: string;
    port: number;
    superuser: { user: string; password: string; url: string };
    databases: Record<string, { database: string; user: string; password: string; url: string }>;
  };
  mongodb: { url: string };
  redis: { url: string };
  jaeger: { ui: string; otlpHttp: string; otlpGrpc: string };
  prometheus: { url: string };
  /** `url`: the HTTP API (`/select/logsql/query`) and the web UI (`/select/vmui/`). */
  victorialogs: { url: string };
  /** `management`: readiness and metrics (the HTTP port itself for the internal services). */
  services: Record<string, { http: string; management: string; grpc?: string }>;
}

const INFRA_DRIVERS: Record<string, Driver> = {
  postgres,
  kafka,
  ferretdb,
  redis,
  jaeger,
  prometheus,
  zipkin,
  victorialogs,
};

function secs(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

export function tailLines(file: string, n: number): string[] {
  if (!existsSync(file)) return [];
  const size = statSync(file).size;
  const want = Math.min(size, Math.max(64 * 1024, n * 400));
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(want);
    readSync(fd, buf, 0, want, size - want);
    const lines = buf.toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-n);
  } finally {
    closeSync(fd);
  }
}

export interface ScaleReport {
  service: string;
  from: number;
  to: number;
  started: string[];
  stopped: string[];
  /** Callers restarted with the new address list. */
  restarted: string[];
}

export class Platform {
  readonly profile: Profile;
  readonly paths: Paths;
  readonly ctx: Ctx;
  private readonly env: NodeJS.ProcessEnv;
  private portMap: PortMap;
  private readonly log: (line: string) => void;
  private secretsCache: PlatformSecrets | null = null;
  private lockDepth = 0;
  private lockFd: number | null = null;

  constructor(profile: Profile, opts: PlatformOptions = {}) {
    const env = opts.env ?? process.env;
    this.profile = profile;
    this.env = env;
    this.paths = paths(profile, opts.repo ?? REPO_ROOT);
    this.portMap = resolvePorts(profile, env, loadState(this.paths).replicas ?? {});
    this.log = opts.log ?? ((l) => process.stderr.write(`${l}\n`));
    const platformId = `${profile}-${repoHash(this.paths.repo)}`;
    const ports = () => this.portMap;
    this.ctx = {
      profile,
      paths: this.paths,
      get ports() {
        return ports();
      },
      env,
      platformId,
      secrets: () => this.secrets(),
      log: (m) => this.log(`  ${m}`),
    };
  }

  private secrets(): PlatformSecrets {
    if (!this.secretsCache) {
      ensureDirs(this.paths);
      this.secretsCache = loadSecrets(this.paths);
    }
    return this.secretsCache;
  }

  /** Every port of the profile now, the replicas' included. */
  get ports(): PortMap {
    return this.portMap;
  }

  /** Replicas a service runs (1 unless scaled). */
  replicas(service: string): number {
    getService(service);
    return replicasOf(this.portMap, service).length;
  }

  private setReplicas(service: string, n: number): void {
    const state = loadState(this.paths);
    const replicas = { ...(state.replicas ?? {}) };
    if (n === 1) delete replicas[service];
    else replicas[service] = n;
    checkReplicas(replicas);
    this.portMap = resolvePorts(this.profile, this.env, replicas);
    const { replicas: _old, ...rest } = state;
    saveState(this.paths, Object.keys(replicas).length > 0 ? { ...rest, replicas } : rest);
  }

  /** Every component of the profile now, each service followed by its further replicas. */
  componentNames(): string[] {
    return COMPONENTS.flatMap((c) =>
      c.kind === 'service' ? replicasOf(this.portMap, c.name) : [c.name],
    );
  }

  /**
   * A component named on the command line, canonical: a component of the table, or a replica of
   * a service that runs that many (`inventory#2`; `inventory#1` is `inventory`).
   */
  resolveName(name: string): string {
    if (!name.includes(REPLICA_SEPARATOR)) {
      getComponent(name);
      return name;
    }
    const r = parseReplicaName(name);
    if (!r) {
      const base = name.slice(0, name.indexOf(REPLICA_SEPARATOR));
      if (SERVICE_NAMES.includes(base)) throw new PlatformError(`${name}: not a replica number`);
      getComponent(base);
      throw new PlatformError(`${name}: only services have replicas`);
    }
    const n = this.replicas(r.service);
    if (r.index > n)
      throw new PlatformError(
        `${name}: ${r.service} runs ${n} replica(s) (\`ordermesh scale ${r.service} ${r.index}\` adds more)`,
      );
    return replicaName(r.service, r.index);
  }

  /** What a start/stop/restart/kill of `name` acts on: a service's name means every replica. */
  targets(name: string): string[] {
    const canonical = this.resolveName(name);
    if (name.includes(REPLICA_SEPARATOR)) return [canonical];
    return getComponent(canonical).kind === 'service'
      ? replicasOf(this.portMap, canonical)
      : [canonical];
  }

  /** Drivers also of replicas no longer counted (a scale-down stops them after the count changed). */
  driver(name: string): Driver {
    const replica = name.includes(REPLICA_SEPARATOR) ? parseReplicaName(name) : null;
    if (replica) return serviceDriver(name);
    const c = getComponent(name);
    if (c.kind === 'service') return serviceDriver(name);
    const d = INFRA_DRIVERS[name];
    if (!d) throw new PlatformError(`no driver for ${name}`);
    return d;
  }

  // --- locking: one mutating command per profile at a time -----------------------------------

  private async locked<T>(fn: () => Promise<T>): Promise<T> {
    if (this.lockDepth > 0) {
      this.lockDepth++;
      try {
        return await fn();
      } finally {
        this.lockDepth--;
      }
    }
    ensureDirs(this.paths);
    const lock = join(this.paths.state, 'lock');
    const deadline = Date.now() + 300_000;
    let warned = false;
    for (;;) {
      try {
        this.lockFd = openSync(lock, 'wx');
        writeSync(this.lockFd, `${process.pid}\n`);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const holder = Number(readFileSync(lock, 'utf8').trim());
        if (!holder || !isAlive(holder)) {
          rmSync(lock, { force: true });
          continue;
        }
        if (Date.now() > deadline)
          throw new PlatformError(`another ordermesh command (pid ${holder}) holds ${lock}`);
        if (!warned) {
          this.log(
            `waiting for another ordermesh command (pid ${holder}) on profile ${this.profile}...`,
          );
          warned = true;
        }
        await sleep(250);
      }
    }
    this.lockDepth = 1;
    try {
      return await fn();
    } finally {
      this.lockDepth = 0;
      if (this.lockFd !== null) closeSync(this.lockFd);
      this.lockFd = null;
      rmSync(lock, { force: true });
    }
  }

  // --- setup ---------------------------------------------------------------------------------

  /** Installs/builds every tool the given infrastructure needs (default: all). Cached. */
  async setup(
    names: readonly string[] = INFRA_NAMES,
    opts: { quiet?: boolean } = {},
  ): Promise<void> {
    ensureDirs(this.paths);
    const infra = names.filter((n) => getComponent(n).kind === 'infra');
    if (infra.includes('redis') || infra.includes('prometheus')) ensureDebianTools();
    for (const n of infra) {
      const t0 = Date.now();
      await this.driver(n).ensureTools(this.ctx);
      if (!opts.quiet) this.log(`✔ ${n.padEnd(12)} tools ready (${secs(t0)})`);
    }
  }

  // --- start/stop ------------------------------------------------------------------------------

  pidOf(name: string): number | null {
    return runningPid(pidFile(this.paths.pids, this.resolveName(name)));
  }

  private async waitReady(d: Driver, pid: number, since: number): Promise<void> {
    const deadline = since + d.readyTimeoutMs;
    for (;;) {
      if (groupMembers(pid).length === 0) {
        throw new PlatformError(`${d.name} exited during startup`, this.logTail(d.name));
      }
      if (await d.ready(this.ctx)) return;
      if (Date.now() > deadline) {
        throw new PlatformError(
          `${d.name} did not become ready within ${Math.round(d.readyTimeoutMs / 1000)}s`,
          this.logTail(d.name),
        );
      }
      await sleep(400);
    }
  }

  logTail(name: string, n = 40): string {
    const f = logFile(this.paths, name);
    return [`--- last ${n} lines of ${f} ---`, ...tailLines(f, n)].join('\n');
  }

  private async startOne(name: string): Promise<void> {
    const d = this.driver(name);
    const t0 = Date.now();
    const pf = pidFile(this.paths.pids, name);
    const running = runningPid(pf);
    if (running !== null) {
      await this.waitReady(d, running, t0);
      if (d.afterReady) await d.afterReady(this.ctx);
      this.log(`✔ ${name.padEnd(12)} already running (pid ${running})`);
      return;
    }
    removePidFile(pf);
    const holders = portHolders(Object.values(portsOf(this.portMap, name)));
    const h = holders[0];
    if (h) {
      throw new PlatformError(
        `${name}: port ${h.port} is already in use by ${h.pid === null ? 'an unknown process' : `pid ${h.pid} (${h.command})`}. ` +
          'Stop it, pick another port with ORDERMESH_*_PORT, or run `ordermesh down` if it is a leftover of this profile.',
      );
    }
    const spec = await d.prepare(this.ctx);
    const pid = spawnDetached(
      spec,
      logFile(this.paths, name),
      pf,
      `start ${name} (${this.profile})`,
    );
    await this.waitReady(d, pid, t0);
    if (d.afterReady) await d.afterReady(this.ctx);
    this.log(`✔ ${name.padEnd(12)} ready (${secs(t0)}) pid ${pid}  ${this.describePorts(name)}`);
  }

  private describePorts(name: string): string {
    return Object.entries(portsOf(this.portMap, name))
      .map(([k, p]) => (k === 'main' ? `:${p}` : `${k}:${p}`))
      .join(' ');
  }

  /**
   * Starts components (default: everything) and what they depend on, infrastructure first, in
   * waves, each component waited for until ready. Already-running ones are kept.
   */
  async up(names: readonly string[] = [], opts: { infraOnly?: boolean } = {}): Promise<void> {
    return this.locked(async () => {
      const t0 = Date.now();
      ensureDirs(this.paths);
      let wanted =
        names.length > 0
          ? names.map((n) => parseReplicaName(this.resolveName(n))?.service ?? n)
          : profileComponents(this.profile);
      if (opts.infraOnly) wanted = wanted.filter((n) => getComponent(n).kind === 'infra');
      let set = withDependencies(wanted);
      if (opts.infraOnly) set = set.filter((n) => getComponent(n).kind === 'infra');
      for (const n of set) if (getComponent(n).kind === 'service') checkBuilt(this.paths.repo, n);
      this.secrets();
      await this.setup(
        set.filter((n) => getComponent(n).kind === 'infra').filter((n) => this.pidOf(n) === null),
        { quiet: true },
      );
      // Every replica of a service starts in the service's wave.
      const waves = startWaves(set).map((wave) =>
        wave.flatMap((n) =>
          getComponent(n).kind === 'service' ? replicasOf(this.portMap, n) : [n],
        ),
      );
      for (const wave of waves) {
        const results = await Promise.allSettled(wave.map((n) => this.startOne(n)));
        const failed = results.flatMap((r, i) =>
          r.status === 'rejected' ? [{ name: wave[i] ?? '?', error: r.reason as unknown }] : [],
        );
        if (failed.length > 0) {
          const details = failed
            .map((f) => {
              const e = f.error instanceof Error ? f.error : new Error(String(f.error));
              return `✘ ${f.name}: ${e.message}${e instanceof PlatformError && e.details ? `\n${e.details}` : ''}`;
            })
            .join('\n\n');
          throw new PlatformError(
            `failed to start: ${failed.map((f) => f.name).join(', ')}`,
            details,
          );
        }
      }
      this.log(`platform "${this.profile}" up: ${waves.flat().length} component(s) in ${secs(t0)}`);
    });
  }

  /**
   * Starts one component (not its dependencies) and waits until it is ready; a service's name
   * starts every replica of it, `inventory#2` just that one.
   */
  async start(name: string): Promise<void> {
    const targets = this.targets(name);
    return this.locked(async () => {
      for (const target of targets) {
        const c = getComponent(parseReplicaName(target)?.service ?? target);
        if (c.kind === 'infra' && this.pidOf(target) === null)
          await this.driver(target).ensureTools(this.ctx);
        try {
          await this.startOne(target);
        } catch (e) {
          if (e instanceof PlatformError) throw e;
          throw new PlatformError(`${target}: ${(e as Error).message}`);
        }
      }
    });
  }

  private async stopOne(name: string): Promise<boolean> {
    const d = this.driver(name);
    const pf = pidFile(this.paths.pids, name);
    const pid = runningPid(pf);
    if (pid === null) {
      removePidFile(pf);
      return false;
    }
    const t0 = Date.now();
    const how = await stopGroup(pid, d.stopSignal, d.stopTimeoutMs);
    removePidFile(pf);
    this.log(
      `✔ ${name.padEnd(12)} ${how === 'killed' ? 'killed after the stop timeout' : 'stopped'} (${secs(t0)})`,
    );
    return true;
  }

  /**
   * Gracefully stops one component (its whole process group); SIGKILL after its timeout. A
   * service's name stops every replica of it, `inventory#2` just that one.
   */
  async stop(name: string): Promise<void> {
    const targets = this.targets(name);
    return this.locked(async () => {
      for (const target of targets)
        if (!(await this.stopOne(target))) this.log(`  ${target} is not running`);
    });
  }

  /** Stops and starts again, one replica after the other (the others keep serving). */
  async restart(name: string): Promise<void> {
    const targets = this.targets(name);
    return this.locked(async () => {
      for (const target of targets) await this.restartOne(target);
    });
  }

  private async restartOne(name: string): Promise<void> {
    await this.stopOne(name);
    await this.startOne(name);
  }

  /** SIGKILL to the component's process group (chaos). Its data stays. */
  async kill(name: string): Promise<void> {
    const targets = this.targets(name);
    return this.locked(async () => {
      for (const target of targets) {
        const pf = pidFile(this.paths.pids, target);
        const pid = runningPid(pf);
        if (pid === null) {
          this.log(`  ${target} is not running`);
          removePidFile(pf);
          continue;
        }
        await killGroup(pid);
        removePidFile(pf);
        this.log(`✔ ${target.padEnd(12)} killed (SIGKILL to process group ${pid})`);
      }
    });
  }

  /**
   * Runs `n` replicas of a gRPC service (1 … MAX_REPLICAS) on ports the platform allocates (the
   * first replica's + 10 per replica). Scaling out starts the new replicas, then restarts every
   * running caller of the service (one replica at a time) so its `<SVC>_GRPC_ADDR` lists them
   * all; scaling in restarts the callers with the shorter list first, then stops the replicas
   * beyond `n` gracefully. Prometheus scrapes every replica. With the service stopped, the next
   * `up`/`start` starts that many (running callers are restarted all the same). `down` forgets
   * the count.
   */
  async scale(service: string, n: number): Promise<ScaleReport> {
    getService(service);
    checkReplicas({ [service]: n });
    return this.locked(async () => {
      const before = replicasOf(this.portMap, service);
      const report: ScaleReport = {
        service,
        from: before.length,
        to: n,
        started: [],
        stopped: [],
        restarted: [],
      };
      if (n === before.length) {
        this.log(`  ${service} already runs ${n} replica(s)`);
        return report;
      }
      const running = (c: string) => runningPid(pidFile(this.paths.pids, c)) !== null;
      const serviceUp = before.some(running);
      if (n > before.length) checkBuilt(this.paths.repo, service);
      this.setReplicas(service, n);
      const after = replicasOf(this.portMap, service);
      const callers = callersOf(CALL_GRAPH, service)
        .flatMap((c) => replicasOf(this.portMap, c))
        .filter(running);
      if (n > before.length && serviceUp) {
        const added = after.slice(before.length);
        const results = await Promise.allSettled(added.map((r) => this.startOne(r)));
        const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [added[i]] : []));
        report.started.push(...added.filter((a) => !failed.includes(a)));
        if (failed.length > 0) {
          // Callers keep the list they have; the count goes back to what really runs.
          for (const r of added) await this.stopOne(r).catch(() => false);
          this.setReplicas(service, before.length);
          const first = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
          throw first.reason;
        }
      }
      // Running callers learn the new list even while the service itself is stopped: they reach
      // the replicas once those start.
      for (const caller of callers) {
        await this.restartOne(caller);
        report.restarted.push(caller);
      }
      for (const removed of before.slice(n)) {
        if (await this.stopOne(removed)) report.stopped.push(removed);
      }
      await this.reloadPrometheus();
      const restarted = report.restarted.length
        ? `; callers restarted with the new address list: ${report.restarted.join(', ')}`
        : '';
      this.log(
        serviceUp
          ? `${service}: ${before.length} → ${n} replica(s)${restarted}`
          : `${service}: ${n} replica(s) from its next start${restarted}`,
      );
      return report;
    });
  }

  /** A running Prometheus scrapes the replicas as they are now. */
  private async reloadPrometheus(): Promise<void> {
    if (runningPid(pidFile(this.paths.pids, 'prometheus')) === null) return;
    writePrometheusConfig(this.ctx);
    const url = `http://127.0.0.1:${mainPort(this.portMap, 'prometheus')}/-/reload`;
    const response = await fetch(url, { method: 'POST' }).catch((e: unknown) => e as Error);
    if (response instanceof Error || !response.ok)
      this.log(
        `  prometheus did not reload its configuration (${response instanceof Error ? response.message : response.status})`,
      );
  }

  /**
   * Processes of this profile's platform, whether or not a pid file knows them: those carrying the
   * profile's marker in their environment (some, like redis and postgres, overwrite it with their
   * process title), and those listening on a port of the profile from a folder of the profile (or
   * a service of this repo).
   */
  private strays(): number[] {
    const marker = `ORDERMESH_PLATFORM_ID=${this.ctx.platformId}`;
    const out: number[] = [];
    const within = (dir: string | null, root: string): boolean =>
      dir !== null && (dir === root || dir.startsWith(`${root}/`));
    for (const h of portHolders(allPorts(this.portMap).map((p) => p.port))) {
      if (h.pid === null || h.pid === process.pid) continue;
      const ours =
        within(h.cwd, this.paths.state) ||
        within(h.cwd, this.paths.sharedState) ||
        (h.cwd === this.paths.repo && h.command.includes('dist/apps/'));
      if (ours) out.push(h.pid);
    }
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      const pid = Number(d);
      if (pid === process.pid) continue;
      try {
        const env = readFileSync(`/proc/${pid}/environ`, 'utf8');
        if (env.split('\0').includes(marker) && isAlive(pid) && !out.includes(pid)) out.push(pid);
      } catch {
        // gone or not ours to read
      }
    }
    return out;
  }

  /**
   * Stops everything of the profile (services, then infrastructure), sweeps strays of this
   * profile, then verifies that no process and no port of the profile is left.
   */
  async down(opts: { volumes?: boolean } = {}): Promise<DownReport> {
    return this.locked(async () => {
      const stopped: string[] = [];
      const infra = INFRA_NAMES.slice().reverse();
      // Every replica of a service with it; also replicas whose count was lost (pid files).
      const counted = new Set(this.componentNames());
      const lost = readdirSync(this.paths.pids)
        .filter((f) => f.endsWith('.pid') && f.includes(REPLICA_SEPARATOR))
        .map((f) => f.slice(0, -'.pid'.length))
        .filter((n) => parseReplicaName(n) !== null && !counted.has(n));
      const services = startWaves(SERVICE_NAMES)
        .reverse()
        .map((wave) =>
          wave.flatMap((n) => [
            ...replicasOf(this.portMap, n),
            ...lost.filter((l) => parseReplicaName(l)?.service === n),
          ]),
        );
      for (const group of [...services, infra]) {
        const rs = await Promise.allSettled(
          group.map(async (n) => ((await this.stopOne(n)) ? n : null)),
        );
        for (const r of rs) {
          if (r.status === 'fulfilled' && r.value) stopped.push(r.value);
          else if (r.status === 'rejected') this.log(`✘ ${(r.reason as Error).message}`);
        }
      }
      // Strays: processes carrying this profile's marker whose pid file was lost.
      const strayGroups = new Set(this.strays().map((p) => readProcStat(p)?.pgid ?? p));
      for (const g of strayGroups) {
        this.log(`  stopping stray process group ${g}: ${readCmdline(g).join(' ') || '?'}`);
        await stopGroup(g, 'SIGTERM', 10_000).catch(() => undefined);
      }
      // Verify.
      const leftovers: string[] = [];
      for (const p of this.strays())
        leftovers.push(`process ${p} still running: ${readCmdline(p).join(' ')}`);
      for (const h of portHolders(allPorts(this.portMap).map((p) => p.port))) {
        const owner = allPorts(this.portMap).find((p) => p.port === h.port);
        leftovers.push(
          `port ${h.port} (${owner?.component}.${owner?.key}) still listening: ${h.pid === null ? 'unknown process' : `pid ${h.pid} ${h.command}`}`,
        );
      }
      if (opts.volumes) {
        for (const c of COMPONENTS) {
          for (const dir of this.driver(c.name).dataDirs(this.ctx))
            rmSync(dir, { recursive: true, force: true });
        }
        rmSync(this.paths.config, { recursive: true, force: true });
        rmSync(this.paths.sharedState, { recursive: true, force: true });
        this.log('  removed the data of every component (--volumes)');
      }
      for (const name of [...this.componentNames(), ...lost]) {
        const rec = readPidRecord(pidFile(this.paths.pids, name));
        if (rec && groupMembers(rec.pid).length === 0)
          removePidFile(pidFile(this.paths.pids, name));
      }
      // The scale is a property of a running platform: the next `up` starts one of each.
      if (leftovers.length === 0 && Object.keys(loadState(this.paths).replicas ?? {}).length > 0) {
        for (const service of SERVICE_NAMES)
          if (this.replicas(service) > 1) this.setReplicas(service, 1);
        this.log(
          '  every service back to one replica (`ordermesh scale` applies to a running platform)',
        );
      }
      const ok = leftovers.length === 0;
      this.log(
        ok
          ? `platform "${this.profile}" down: no process or port left`
          : `platform "${this.profile}" down, but:`,
      );
      for (const l of leftovers) this.log(`✘ ${l}`);
      return { ok, stopped, leftovers };
    });
  }

  // --- inspection ------------------------------------------------------------------------------

  async status(): Promise<StatusRow[]> {
    return Promise.all(
      this.componentNames().map(async (name) => {
        const replica = parseReplicaName(name);
        const c = getComponent(replica?.service ?? name);
        const pid = this.pidOf(name);
        let health: 'up' | 'down' = 'down';
        if (pid !== null) {
          try {
            health = (await this.driver(name).ready(this.ctx)) ? 'up' : 'down';
          } catch {
            health = 'down';
          }
        }
        return {
          component: name,
          kind: c.kind,
          ...(replica
            ? {
                service: replica.service,
                replica: replica.index,
                replicas: this.replicas(replica.service),
              }
            : {}),
          ports: { ...portsOf(this.portMap, name) },
          pid,
          state: pid === null ? 'stopped' : 'running',
          health,
        } satisfies StatusRow;
      }),
    );
  }

  /** The environment a service gets (unmasked; see maskedServiceEnv for printing). */
  serviceEnv(name: string): Record<string, string> {
    return computeServiceEnv(this.ctx, name);
  }

  maskedServiceEnv(name: string): Record<string, string> {
    return maskEnv(this.serviceEnv(name));
  }

  endpoints(): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    for (const name of this.componentNames()) out[name] = this.driver(name).endpoints(this.ctx);
    return out;
  }

  /** Infrastructure endpoints and credentials, for test harnesses (contains secrets). */
  connectionInfo(): ConnectionInfo {
    const s = this.secrets();
    const pgPort = mainPort(this.portMap, 'postgres');
    const databases: ConnectionInfo['postgres']['databases'] = {};
    for (const svc of POSTGRES_SERVICES) {
      const name = dbName(svc);
      const password = s.servicePasswords[svc] ?? '';
      databases[svc] = {
        database: name,
        user: name,
        password,
        url: postgresUrl(this.portMap, name, password, name),
      };
    }
    const services: ConnectionInfo['services'] = {};
    for (const svc of SERVICE_NAMES) {
      const p = portsOf(this.portMap, svc);
      services[svc] = {
        http: `http://127.0.0.1:${p.http}`,
        management: `http://127.0.0.1:${managementPort(this.portMap, svc)}`,
        ...(p.grpc ? { grpc: `127.0.0.1:${p.grpc}` } : {}),
      };
    }
    const j = portsOf(this.portMap, 'jaeger');
    return {
      profile: this.profile,
      kafka: { brokers: [`127.0.0.1:${port(this.portMap, 'kafka', 'broker')}`] },
      postgres: {
        host: '127.0.0.1',
        port: pgPort,
        superuser: {
          user: PG_SUPERUSER,
          password: s.postgresSuperuserPassword,
          url: postgresUrl(this.portMap, PG_SUPERUSER, s.postgresSuperuserPassword, 'postgres'),
        },
        databases,
      },
      mongodb: { url: `mongodb://127.0.0.1:${mainPort(this.portMap, 'ferretdb')}` },
      redis: { url: `redis://127.0.0.1:${mainPort(this.portMap, 'redis')}` },
      jaeger: {
        ui: `http://127.0.0.1:${j.ui}`,
        otlpHttp: `http://127.0.0.1:${j.otlpHttp}`,
        otlpGrpc: `127.0.0.1:${j.otlpGrpc}`,
      },
      prometheus: { url: `http://127.0.0.1:${mainPort(this.portMap, 'prometheus')}` },
      victorialogs: { url: `http://127.0.0.1:${mainPort(this.portMap, 'victorialogs')}` },
      services,
    };
  }
}
