// kubectl, helm and port-forwards against the cluster under test.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../../../..');
export const CHART = path.join(ROOT, 'charts/ordermesh');
const BIN = path.join(ROOT, '.ordermesh/tools/bin');
/** The local cluster's admin kubeconfig, unless KUBECONFIG names another cluster. */
export const KUBECONFIG =
  process.env['KUBECONFIG'] || path.join(ROOT, '.ordermesh/cluster/kubeconfig');
export const NAMESPACE = 'ordermesh';
export const RELEASE = 'ordermesh';
/** Values of the local cluster: the locally built images, Grafana off, Istio's data plane off. */
export const LOCAL_VALUES = path.join(ROOT, 'k8s/local/values.yaml');

export interface Result {
  status: number;
  stdout: string;
  stderr: string;
}

function exec(bin: string, args: string[], input?: string): Result {
  const r = spawnSync(bin, args, {
    cwd: ROOT,
    encoding: 'utf8',
    input,
    maxBuffer: 128 * 1024 * 1024,
    env: { ...process.env, KUBECONFIG },
  });
  return { status: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/**
 * The same, without blocking this process: for calls that take long while a load driver or a
 * port-forward of this process must keep running (helm upgrade --wait, rollout status).
 */
function execAsync(bin: string, args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      bin,
      args,
      {
        cwd: ROOT,
        encoding: 'utf8',
        maxBuffer: 128 * 1024 * 1024,
        env: { ...process.env, KUBECONFIG },
      },
      (error, stdout, stderr) =>
        resolve({
          status: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

async function checked(what: string, args: string[], r: Promise<Result>): Promise<string> {
  const result = await r;
  if (result.status !== 0)
    throw new Error(`${what} ${args.join(' ')} failed: ${result.stderr.trim()}`);
  return result.stdout;
}

export const kubectlAsync = (args: string[]): Promise<string> =>
  checked('kubectl', args, execAsync(path.join(BIN, 'kubectl'), args));

export const helmAsync = (args: string[]): Promise<string> =>
  checked('helm', args, execAsync(path.join(BIN, 'helm'), args));

export const kubectlRaw = (args: string[], input?: string): Result =>
  exec(path.join(BIN, 'kubectl'), args, input);

export function kubectl(args: string[], input?: string): string {
  const r = kubectlRaw(args, input);
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

export function kubectlJson<T>(args: string[]): T {
  return JSON.parse(kubectl([...args, '-o', 'json'])) as T;
}

export const helmRaw = (args: string[]): Result => exec(path.join(BIN, 'helm'), args);

export function helm(args: string[]): string {
  const r = helmRaw(args);
  if (r.status !== 0) throw new Error(`helm ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

export function clusterReachable(): boolean {
  return existsSync(KUBECONFIG) && kubectlRaw(['get', '--raw', '/readyz']).status === 0;
}

export interface Forward {
  url: string;
  port: number;
  /** Resolves when the forward has ended (its pod went, or it was closed). */
  exited: Promise<void>;
  close(): void;
}

/**
 * `kubectl port-forward` of a Service port to a free loopback port of this machine: how a user
 * reaches the gateway, Jaeger and Prometheus (traffic goes to loopback and the cluster namespace only).
 */
export function portForward(target: string, remotePort: number): Promise<Forward> {
  const child: ChildProcess = spawn(
    path.join(BIN, 'kubectl'),
    ['-n', NAMESPACE, 'port-forward', '--address', '127.0.0.1', target, `:${remotePort}`],
    { env: { ...process.env, KUBECONFIG }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(
        new Error(`port-forward ${target}:${remotePort}: no forwarding after 30 s\n${output}`),
      );
    }, 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        const port = Number(m[1]);
        resolve({ url: `http://127.0.0.1:${port}`, port, exited, close: () => child.kill() });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`port-forward ${target}:${remotePort} exited (${code}): ${output}`));
    });
  });
}

/**
 * A port-forward that outlives its pod: `kubectl port-forward svc/...` binds to one pod and ends
 * when that pod goes (a rollout, a deleted pod). This listens on one loopback port for the whole
 * test and sends each new connection through the current port-forward, starting a new one when
 * the last has ended. Connections in flight when a pod goes fail, as they would for a user.
 */
export async function lastingForward(target: string, remotePort: number): Promise<Forward> {
  let current: Promise<Forward> | undefined;
  let closed = false;
  const upstream = (): Promise<Forward> => {
    if (!current) {
      const attempt = portForward(target, remotePort);
      current = attempt;
      attempt.then(
        (f) => f.exited.then(() => current === attempt && (current = undefined)),
        () => current === attempt && (current = undefined),
      );
    }
    return current;
  };
  const server = createServer((socket) => {
    socket.pause();
    upstream().then(
      (f) => {
        const remote = connect(f.port, '127.0.0.1');
        remote.on('error', () => socket.destroy());
        socket.on('error', () => remote.destroy());
        socket.pipe(remote).pipe(socket);
        socket.resume();
      },
      () => socket.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await upstream();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    exited: new Promise<void>((resolve) => server.on('close', resolve)),
    close: () => {
      if (closed) return;
      closed = true;
      server.close();
      void current?.then(
        (f) => f.close(),
        () => undefined,
      );
    },
  };
}

export interface Pod {
  metadata: {
    name: string;
    labels?: Record<string, string>;
    ownerReferences?: { kind: string }[];
    /** Set while the pod is being deleted (a rollout's old pod in its grace period). */
    deletionTimestamp?: string;
  };
  spec: {
    containers: { name: string; resources?: { limits?: Record<string, string> } }[];
  };
  status: {
    phase: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: {
      name: string;
      ready: boolean;
      restartCount: number;
      lastState?: { terminated?: { reason?: string } };
      state?: { terminated?: { reason?: string } };
    }[];
  };
}

export function pods(selector?: string): Pod[] {
  const args = ['-n', NAMESPACE, 'get', 'pods'];
  if (selector) args.push('-l', selector);
  return kubectlJson<{ items: Pod[] }>(args).items;
}

/** Pods of Deployments and StatefulSets (not completed Job pods). */
export const workloadPods = (): Pod[] =>
  pods().filter((p) => !(p.metadata.ownerReferences ?? []).some((o) => o.kind === 'Job'));

export function isReady(p: Pod): boolean {
  return (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Mebibytes of a Kubernetes quantity such as 256Mi or 1Gi. */
export function mebibytes(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G)?$/.exec(quantity);
  if (!m) throw new Error(`not a memory quantity: ${quantity}`);
  const n = Number(m[1]);
  const unit = m[2] ?? '';
  const factor: Record<string, number> = {
    '': 1 / 2 ** 20,
    Ki: 1 / 1024,
    Mi: 1,
    Gi: 1024,
    K: 1e3 / 2 ** 20,
    M: 1e6 / 2 ** 20,
    G: 1e9 / 2 ** 20,
  };
  return n * factor[unit]!;
}
