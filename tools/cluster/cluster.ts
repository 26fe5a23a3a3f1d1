// `up`, `down` and `status` of the Docker-free local cluster (docs/kubernetes.md, "Without Docker").
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PlatformError } from '../platform/context.ts';
import {
  isAlive,
  pidFile,
  readCmdline,
  readPidRecord,
  removePidFile,
  runningPid,
  spawnDetached,
  stopGroup,
} from '../platform/proc.ts';
import { isRoot, run } from '../platform/setup.ts';
import { applyAddons } from './addons.ts';
import { buildBinaries, buildSystemImages, ensureDebianPackages } from './build.ts';
import {
  cniConfig,
  containerdConfig,
  kubeconfig,
  kubeletConfig,
  kubeProxyConfig,
} from './configs.ts';
import { daemons, type Daemon } from './daemons.ts';
import { kubectl, kubectlPath } from './kube.ts';
import { layout, NET, versions, type Layout } from './layout.ts';
import {
  deleteNamespace,
  ensureNamespace,
  inNamespace,
  namespaceExists,
  podNamespaces,
} from './netns.ts';
import { ensurePki, type Tokens } from './pki.ts';

const log = (m: string): void => void process.stderr.write(`cluster: ${m}\n`);

/** Host sysctls the kubelet changes; `up` records them once, `down` puts them back. */
export const KUBELET_SYSCTLS = ['vm.overcommit_memory', 'kernel.panic', 'kernel.panic_on_oops'];

interface State {
  sysctls: Record<string, string>;
}

function readState(l: Layout): State | null {
  try {
    return JSON.parse(readFileSync(l.stateFile, 'utf8')) as State;
  } catch {
    return null;
  }
}

function sysctlPath(key: string): string {
  return `/proc/sys/${key.replace(/\./g, '/')}`;
}

function writeConfigs(l: Layout, tokens: Tokens): void {
  for (const d of [l.etc, join(l.etc, 'cni'), l.data, l.logs, l.pids, l.run])
    mkdirSync(d, { recursive: true });
  const files: Record<string, string> = {
    'containerd.toml': containerdConfig(l),
    'cni/10-ordermesh.conflist': cniConfig(l),
    'kubelet.yaml': kubeletConfig(l),
    'kube-proxy.yaml': kubeProxyConfig(l),
    'resolv.conf': `# the cluster namespace has no resolver outside it\nnameserver ${NET.dnsIp}\n`,
    'controller-manager.kubeconfig': kubeconfig(l, {
      user: 'controller-manager',
      token: tokens.controllerManager,
    }),
    'scheduler.kubeconfig': kubeconfig(l, { user: 'scheduler', token: tokens.scheduler }),
    'kubelet.kubeconfig': kubeconfig(l, { user: 'kubelet', token: tokens.kubelet }),
    'kube-proxy.kubeconfig': kubeconfig(l, { user: 'kube-proxy', token: tokens.kubeProxy }),
  };
  for (const [name, text] of Object.entries(files))
    writeFileSync(join(l.etc, name), text, { mode: 0o600 });
  writeFileSync(l.kubeconfig, kubeconfig(l, { user: 'admin', token: tokens.admin }), {
    mode: 0o600,
  });
}

async function startDaemon(l: Layout, d: Daemon): Promise<void> {
  const pf = pidFile(l.pids, d.name);
  if (runningPid(pf) === null) {
    const argv = inNamespace(d.argv);
    spawnDetached(
      {
        command: argv[0]!,
        args: argv.slice(1),
        cwd: l.root,
        env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: l.root },
      },
      join(l.logs, `${d.name}.log`),
      pf,
      d.name,
    );
  }
  const deadline = Date.now() + d.readyTimeoutMs;
  while (!(await d.ready())) {
    if (runningPid(pf) === null)
      throw new PlatformError(`${d.name} exited during start-up`, logTail(l, d.name));
    if (Date.now() > deadline)
      throw new PlatformError(
        `${d.name} not ready after ${d.readyTimeoutMs / 1000} s`,
        logTail(l, d.name),
      );
    await sleep(500);
  }
  log(`${d.name} ready`);
}

function logTail(l: Layout, name: string): string {
  try {
    return readFileSync(join(l.logs, `${name}.log`), 'utf8')
      .trim()
      .split('\n')
      .slice(-30)
      .join('\n');
  } catch {
    return '';
  }
}

async function waitFor(what: string, timeoutMs: number, check: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new PlatformError(`${what}: not after ${timeoutMs / 1000} s`);
    await sleep(1000);
  }
}

function kubectlOk(l: Layout, args: string[]): boolean {
  return (
    spawnSync(kubectlPath(l), ['--kubeconfig', l.kubeconfig, ...args], { stdio: 'ignore' })
      .status === 0
  );
}

/**
 * Imports every image archive that containerd has not taken in this form yet (the manifest lists
 * archive paths; a rebuilt archive, new size or time, is imported again).
 */
export function importImages(l: Layout, archives: string[]): void {
  const have = new Set(
    run('ctr', [
      '--address',
      l.containerdSocket,
      '-n',
      'k8s.io',
      'images',
      'ls',
      '-q',
    ]).stdout.split('\n'),
  );
  for (const archive of archives) {
    const stamp = join(l.run, `imported-${archive.replace(/[^a-zA-Z0-9]/g, '_')}`);
    const { size, mtimeMs } = statSync(archive);
    const form = `${size}:${mtimeMs}`;
    if (existsSync(stamp) && readFileSync(stamp, 'utf8') === form && have.size > 1) continue;
    run(
      'ctr',
      [
        '--address',
        l.containerdSocket,
        '-n',
        'k8s.io',
        'images',
        'import',
        '--no-unpack=false',
        archive,
      ],
      {
        what: `import ${archive}`,
      },
    );
    writeFileSync(stamp, form);
  }
}

/**
 * Application image archives built by `make cluster-images` (tools/cluster/images): its manifest
 * lists `{ref, archive}` per image; several images share one archive, imported once.
 */
export function applicationArchives(l: Layout): string[] {
  const manifest = join(l.images, 'manifest.json');
  if (!existsSync(manifest)) return [];
  const entries = JSON.parse(readFileSync(manifest, 'utf8')) as Array<{ archive: string }>;
  return [...new Set(entries.map((e) => e.archive))];
}

export async function up(l: Layout = layout()): Promise<void> {
  if (!isRoot())
    throw new PlatformError(
      'the local cluster needs root (network namespace, containerd, kubelet)',
    );
  const v = versions(l.repo);
  const started = Date.now();
  ensureDebianPackages();
  run('node', [join(l.repo, 'tools', 'chart', 'install-tools.mjs')], { what: 'helm and kubectl' });
  buildBinaries(l, v);
  const systemArchives = buildSystemImages(l, v);
  const tokens = ensurePki(l);
  writeConfigs(l, tokens);
  if (!readState(l)) {
    const sysctls = Object.fromEntries(
      KUBELET_SYSCTLS.map((k) => [k, readFileSync(sysctlPath(k), 'utf8').trim()]),
    );
    writeFileSync(l.stateFile, JSON.stringify({ sysctls } satisfies State, null, 2));
  }
  ensureNamespace();
  for (const d of daemons(l, tokens)) {
    await startDaemon(l, d);
    if (d.name === 'containerd') importImages(l, [...systemArchives, ...applicationArchives(l)]);
  }
  await waitFor('node Ready', 120_000, () =>
    kubectlOk(l, ['wait', '--for=condition=Ready', `node/${NET.nodeName}`, '--timeout=5s']),
  );
  applyAddons(l, v);
  await waitFor(
    'CoreDNS and local-path-provisioner available',
    180_000,
    () =>
      kubectlOk(l, ['-n', 'kube-system', 'rollout', 'status', 'deploy/coredns', '--timeout=5s']) &&
      kubectlOk(l, [
        '-n',
        'local-path-storage',
        'rollout',
        'status',
        'deploy/local-path-provisioner',
        '--timeout=5s',
      ]),
  );
  log(`up in ${Math.round((Date.now() - started) / 1000)} s — KUBECONFIG=${l.kubeconfig}`);
}

// --- down ------------------------------------------------------------------------------------

function mountsUnder(prefixes: string[]): string[] {
  const lines = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  const points = lines
    .map((line) => line.split(' ')[4] ?? '')
    .filter((p) => prefixes.some((pre) => p === pre || p.startsWith(`${pre}/`)));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Every pid in the kubelet's pod cgroups (cgroup v1: any controller holds them all). */
function podPids(): number[] {
  const root = '/sys/fs/cgroup/pids/kubepods';
  if (!existsSync(root)) return [];
  const out: number[] = [];
  const walk = (dir: string): void => {
    for (const line of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n'))
      if (line) out.push(Number(line));
    for (const e of readdirSync(dir, { withFileTypes: true }))
      if (e.isDirectory()) walk(join(dir, e.name));
  };
  walk(root);
  return out;
}

function removeCgroups(): void {
  for (const controller of readdirSync('/sys/fs/cgroup')) {
    const top = join('/sys/fs/cgroup', controller, 'kubepods');
    if (!existsSync(top)) continue;
    const dirs: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true }))
        if (e.isDirectory()) walk(join(dir, e.name));
      dirs.push(dir);
    };
    walk(top);
    for (const d of dirs) spawnSync('rmdir', [d], { stdio: 'ignore' });
  }
}

function shimPids(l: Layout): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => {
      const cmd = readCmdline(pid);
      return cmd.some((a) => a.includes('containerd-shim')) && cmd.includes(l.containerdSocket);
    });
}

export async function down(l: Layout = layout()): Promise<void> {
  const list = daemons(l, ensureTokensOrDummy(l));
  const stop = async (name: string): Promise<void> => {
    const pf = pidFile(l.pids, name);
    const pid = runningPid(pf);
    if (pid !== null) await stopGroup(pid, 'SIGTERM', 15_000);
    removePidFile(pf);
  };
  await stop('kubelet');
  for (const pid of podPids()) spawnSync('kill', ['-9', String(pid)]);
  for (const pid of shimPids(l)) spawnSync('kill', ['-9', String(pid)]);
  for (const d of [...list].reverse()) if (d.name !== 'kubelet') await stop(d.name);
  for (const m of mountsUnder([l.root, l.run, ...podNamespaces().map((n) => `/run/netns/${n}`)]))
    spawnSync('umount', ['-l', m], { stdio: 'ignore' });
  for (const ns of podNamespaces()) deleteNamespace(ns);
  removeCgroups();
  const state = readState(l);
  for (const [k, value] of Object.entries(state?.sysctls ?? {}))
    writeFileSync(sysctlPath(k), `${value}\n`);
  deleteNamespace();
  rmSync(l.run, { recursive: true, force: true });
  // Cluster state goes; built binaries and images stay cached for the next `up`.
  for (const d of [l.data, l.etc, l.pki, l.pids, l.stateFile, l.kubeconfig])
    rmSync(d, { recursive: true, force: true });
  const left = leftovers(l);
  if (left.length > 0)
    throw new PlatformError(`cluster down left something behind:\n  ${left.join('\n  ')}`);
  log('down: no process, mount, cgroup or namespace left');
}

function ensureTokensOrDummy(l: Layout): Tokens {
  try {
    return JSON.parse(readFileSync(join(l.pki, 'tokens.json'), 'utf8')) as Tokens;
  } catch {
    return { admin: '', controllerManager: '', scheduler: '', kubelet: '', kubeProxy: '' };
  }
}

/** What `down` must not leave: processes, mounts, pod cgroups, namespaces, changed sysctls. */
export function leftovers(l: Layout): string[] {
  const out: string[] = [];
  for (const f of existsSync(l.pids) ? readdirSync(l.pids) : []) {
    const rec = readPidRecord(join(l.pids, f));
    if (rec && isAlive(rec.pid)) out.push(`process ${rec.pid} (${f})`);
  }
  for (const pid of [...podPids(), ...shimPids(l)]) out.push(`process ${pid}`);
  for (const m of mountsUnder([l.root, l.run])) out.push(`mount ${m}`);
  if (namespaceExists()) out.push(`network namespace ${NET.namespace}`);
  for (const ns of podNamespaces()) out.push(`network namespace ${ns}`);
  for (const c of readdirSync('/sys/fs/cgroup'))
    if (existsSync(join('/sys/fs/cgroup', c, 'kubepods'))) out.push(`cgroup ${c}/kubepods`);
  return out;
}

export function status(l: Layout = layout()): string {
  if (!namespaceExists()) return 'local cluster: down';
  const rows = daemons(l, ensureTokensOrDummy(l)).map((d) => {
    const pid = runningPid(pidFile(l.pids, d.name));
    return `  ${d.name.padEnd(24)} ${pid === null ? 'stopped' : `pid ${pid}`}`;
  });
  const nodes = spawnSync(
    kubectlPath(l),
    ['--kubeconfig', l.kubeconfig, 'get', 'nodes', '-o', 'wide'],
    { encoding: 'utf8' },
  );
  return [
    `local cluster: up (KUBECONFIG=${l.kubeconfig})`,
    ...rows,
    String(nodes.stdout ?? '').trim(),
  ].join('\n');
}

export { kubectl };
