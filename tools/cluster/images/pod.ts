// Runs a container of a rendered chart workload with podman, the way the kubelet would run it:
// the container's command/args/env (secretKeyRef resolved from the rendered Secrets, $(VAR)
// expanded), the pod's uid/gid/fsGroup, a read-only root filesystem, every capability dropped,
// no privilege escalation, ConfigMap volumes as read-only files, emptyDirs as fresh 0777 folders and claims as
// fresh folders owned by the fsGroup. No network but the container's own loopback
// (`--network none`, or another container's namespace); the chart's Service names resolve to
// 127.0.0.1 through a mounted /etc/hosts. Used by smoke.test.ts.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ULIMITS, type Buildah } from './buildah.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- rendered Kubernetes objects, read loosely */
type Obj = any;

export interface Rendered {
  objects: Obj[];
  secret(name: string, key: string): string;
  configMap(name: string): Record<string, string>;
  /** The pod template of a StatefulSet/Deployment, or of a Job whose name starts with `name-`. */
  pod(kind: 'StatefulSet' | 'Deployment' | 'Job', name: string): { spec: Obj; claims: Obj[] };
}

export function parseRender(yamlText: string): Rendered {
  const objects = parseAllDocuments(yamlText)
    .map((d) => d.toJS() as Obj)
    .filter((o) => o && typeof o === 'object' && o.kind);
  const find = (kind: string, match: (n: string) => boolean): Obj => {
    const o = objects.find((x) => x.kind === kind && match(x.metadata.name));
    if (!o) throw new Error(`the render has no ${kind} matching`);
    return o;
  };
  return {
    objects,
    secret(name, key) {
      const s = find('Secret', (n) => n === name);
      if (s.stringData?.[key] !== undefined) return String(s.stringData[key]);
      const b64 = s.data?.[key];
      if (b64 === undefined) throw new Error(`Secret ${name} has no key ${key}`);
      return Buffer.from(String(b64), 'base64').toString('utf8');
    },
    configMap(name) {
      return find('ConfigMap', (n) => n === name).data ?? {};
    },
    pod(kind, name) {
      const o = find(kind, (n) => (kind === 'Job' ? n.startsWith(`${name}-`) : n === name));
      return { spec: o.spec.template.spec, claims: o.spec.volumeClaimTemplates ?? [] };
    },
  };
}

/** Kubernetes' $(VAR) expansion (`$$` escapes; unknown names stay as written). */
export function expand(s: string, env: Record<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string | undefined) =>
    m === '$$' ? '$' : name !== undefined && name in env ? env[name]! : m,
  );
}

export interface Started {
  name: string;
  pid: number;
  dirs: string[];
}

export class PodRunner {
  readonly b: Buildah;
  readonly r: Rendered;
  readonly hosts: string;
  readonly started: Started[] = [];
  private readonly work: string;

  constructor(b: Buildah, r: Rendered, hostnames: string[]) {
    this.b = b;
    this.r = r;
    this.work = mkdtempSync(join(tmpdir(), 'ordermesh-smoke-'));
    chmodSync(this.work, 0o755);
    this.hosts = join(this.work, 'hosts');
    writeFileSync(this.hosts, `127.0.0.1 localhost ${hostnames.join(' ')}\n::1 localhost\n`);
    chmodSync(this.hosts, 0o644);
  }

  /** The container's environment as the kubelet gives it. */
  env(container: Obj): Record<string, string> {
    const env: Record<string, string> = {};
    for (const e of container.env ?? []) {
      if (e.value !== undefined) env[e.name] = expand(String(e.value), env);
      else if (e.valueFrom?.secretKeyRef)
        env[e.name] = this.r.secret(e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key);
      else if (e.valueFrom?.fieldRef) {
        // the downward API, for a pod of that name in the release namespace on loopback
        const field: Record<string, string> = {
          'metadata.name': `${container.name}-smoke`,
          'metadata.namespace': 'ordermesh',
          'status.podIP': '127.0.0.1',
          'status.hostIP': '127.0.0.1',
          'spec.nodeName': 'smoke',
          'spec.serviceAccountName': container.name,
        };
        const v = field[e.valueFrom.fieldRef.fieldPath];
        if (v === undefined)
          throw new Error(`env ${e.name}: unsupported fieldRef ${e.valueFrom.fieldRef.fieldPath}`);
        env[e.name] = v;
      } else throw new Error(`env ${e.name}: unsupported valueFrom ${JSON.stringify(e.valueFrom)}`);
    }
    return env;
  }

  /** Starts the pod's first container (detached); `netOf` joins another container's network. */
  start(
    name: string,
    pod: { spec: Obj; claims: Obj[] },
    opts: { netOf?: string; image?: string; extraEnv?: Record<string, string> } = {},
  ): Started {
    const spec = pod.spec;
    const c = spec.containers[0];
    const env = { ...this.env(c), ...opts.extraEnv };
    const sc = spec.securityContext ?? {};
    const csc = c.securityContext ?? {};
    const dirs: string[] = [];
    const args = [
      'run',
      '--detach',
      '--name',
      name,
      '--network',
      opts.netOf ? `container:${opts.netOf}` : 'none',
      ...ULIMITS,
      '--user',
      `${sc.runAsUser}:${sc.runAsGroup ?? sc.runAsUser}`,
      '--volume',
      `${this.hosts}:/etc/hosts:ro`,
    ];
    if (sc.fsGroup !== undefined) args.push('--group-add', String(sc.fsGroup));
    if (csc.readOnlyRootFilesystem) args.push('--read-only', '--read-only-tmpfs=false');
    if (csc.allowPrivilegeEscalation === false) args.push('--security-opt', 'no-new-privileges');
    for (const cap of csc.capabilities?.drop ?? []) args.push('--cap-drop', cap);
    for (const [k, v] of Object.entries(env)) args.push('--env', `${k}=${v}`);
    for (const m of c.volumeMounts ?? []) {
      const vol = (spec.volumes ?? []).find((v: Obj) => v.name === m.name);
      const claim = pod.claims.find((cl: Obj) => cl.metadata.name === m.name);
      if (vol?.configMap) {
        const dir = join(this.work, `${name}-${m.name}`);
        mkdirSync(dir, { recursive: true });
        const data = this.r.configMap(vol.configMap.name);
        const items: { key: string; path: string }[] =
          vol.configMap.items ?? Object.keys(data).map((k) => ({ key: k, path: k }));
        for (const it of items)
          writeFileSync(join(dir, it.path), data[it.key] ?? '', { mode: 0o644 });
        // the kubelet creates the mount points of volumes nested in this one (MakeNestedMountpoints)
        for (const other of c.volumeMounts ?? [])
          if (other.mountPath.startsWith(`${m.mountPath}/`))
            mkdirSync(join(dir, other.mountPath.slice(m.mountPath.length + 1)), {
              recursive: true,
            });
        chmodSync(dir, 0o755);
        args.push('--volume', `${dir}:${m.mountPath}:ro`);
      } else if (vol?.emptyDir) {
        // as the kubelet makes one: a fresh folder, mode 0777 (a tmpfs over a folder the image
        // already has keeps that folder's root-owned 0755 under podman 4.3, whatever tmpfs-mode says)
        const dir = join(this.work, `${name}-${m.name}`);
        mkdirSync(dir, { recursive: true });
        chmodSync(dir, 0o777);
        dirs.push(dir);
        args.push('--volume', `${dir}:${m.mountPath}`);
      } else if (claim) {
        const dir = join(this.work, `${name}-${m.name}`);
        mkdirSync(dir, { recursive: true });
        chownSync(dir, 0, Number(sc.fsGroup ?? 0));
        chmodSync(dir, 0o2775);
        dirs.push(dir);
        args.push('--volume', `${dir}:${m.mountPath}`);
      } else
        throw new Error(
          `${name}: volume ${m.name} is neither a ConfigMap, an emptyDir nor a claim`,
        );
    }
    const image = opts.image ?? c.image;
    const cmd = (c.command ?? []).map((s: string) => expand(s, env));
    const cargs = (c.args ?? []).map((s: string) => expand(s, env));
    if (cmd.length > 0) args.push('--entrypoint', JSON.stringify(cmd));
    args.push(
      image.includes('/') && !image.startsWith('docker.io/') ? `docker.io/${image}` : image,
    );
    args.push(...cargs);
    // a container left by an interrupted run goes first; this one is cleaned up even if it fails
    this.b.podman(['rm', '--force', name], 'podman rm', { allowFail: true });
    const s: Started = { name, pid: 0, dirs };
    this.started.push(s);
    this.b.podman(args, `podman run ${name}`);
    const pid = Number(
      this.b
        .podman(['inspect', '--format', '{{.State.Pid}}', name], 'podman inspect')
        .stdout.trim(),
    );
    s.pid = pid;
    return s;
  }

  state(name: string): { running: boolean; exitCode: number } {
    const out = this.b
      .podman(
        ['inspect', '--format', '{{.State.Running}} {{.State.ExitCode}}', name],
        'podman inspect',
      )
      .stdout.trim()
      .split(' ');
    return { running: out[0] === 'true', exitCode: Number(out[1]) };
  }

  logs(name: string): string {
    const r = this.b.podman(['logs', name], 'podman logs', { allowFail: true });
    return `${r.stdout}${r.stderr}`;
  }

  exec(
    name: string,
    cmd: string[],
    env: Record<string, string> = {},
    workdir?: string,
  ): { status: number; out: string } {
    const r = spawnSync(
      'podman',
      [
        '--root',
        this.b.storage.root,
        '--runroot',
        this.b.storage.runroot,
        '--storage-driver',
        'overlay',
        'exec',
        ...(workdir ? ['--workdir', workdir] : []),
        ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
        name,
        ...cmd,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    return { status: r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
  }

  /** Runs a node script inside the container's network namespace (from the host). */
  inNetns(pid: number, script: string): { status: number; out: string } {
    const r = spawnSync('nsenter', [`--net=/proc/${pid}/ns/net`, process.execPath, '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    return { status: r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
  }

  /** One kubelet-style probe of the container (exec, tcpSocket or httpGet). */
  probe(s: Started, container: Obj, p: Obj): boolean {
    const port = (x: number | string): number =>
      typeof x === 'number'
        ? x
        : Number((container.ports ?? []).find((cp: Obj) => cp.name === x)?.containerPort);
    if (p.exec) return this.exec(s.name, p.exec.command).status === 0;
    if (p.tcpSocket)
      return (
        this.inNetns(
          s.pid,
          `const s=require('net').connect(${port(p.tcpSocket.port)},'127.0.0.1');s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1));setTimeout(()=>process.exit(1),3000)`,
        ).status === 0
      );
    if (p.httpGet)
      return (
        this.inNetns(
          s.pid,
          `fetch('http://127.0.0.1:${port(p.httpGet.port)}${p.httpGet.path}',{signal:AbortSignal.timeout(3000)}).then(r=>process.exit(r.status>=200&&r.status<400?0:1),()=>process.exit(1))`,
        ).status === 0
      );
    throw new Error(`unsupported probe ${JSON.stringify(p)}`);
  }

  /** Waits until every probe the container declares (startup, readiness, liveness) passes. */
  async waitReady(s: Started, container: Obj, timeoutMs: number): Promise<void> {
    const probes = [
      container.startupProbe,
      container.readinessProbe,
      container.livenessProbe,
    ].filter(Boolean);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const st = this.state(s.name);
      if (!st.running)
        throw new Error(
          `${s.name} exited (${st.exitCode}) before it was ready:\n${this.logs(s.name)}`,
        );
      if (probes.every((p) => this.probe(s, container, p))) return;
      if (Date.now() > deadline)
        throw new Error(
          `${s.name}: probes not passing after ${timeoutMs} ms:\n${this.logs(s.name)}`,
        );
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /** Waits for a container to exit; returns its exit code. */
  async waitExit(name: string, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const st = this.state(name);
      if (!st.running) return st.exitCode;
      if (Date.now() > deadline)
        throw new Error(`${name} still running after ${timeoutMs} ms:\n${this.logs(name)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /** Removes every container this runner started (by name) and its folders. */
  cleanup(): void {
    for (const s of this.started.reverse())
      this.b.podman(['rm', '--force', '--time', '5', s.name], 'podman rm', { allowFail: true });
    this.started.length = 0;
    rmSync(this.work, { recursive: true, force: true });
  }
}
