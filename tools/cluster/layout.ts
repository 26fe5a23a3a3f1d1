// Where the Docker-free local cluster lives: folders, its network namespace, its addresses, versions.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The cluster's own network: a namespace with a veth pair to the host (the host reaches the
 * apiserver and nothing else) and a default route into a second, dead-end veth pair, so
 * kube-proxy's DNAT has a route to rewrite while no packet can leave the namespace.
 */
export const NET = {
  namespace: 'ordermesh',
  hostLink: 'om-host',
  nodeLink: 'om-node',
  hostIp: '10.0.0.1',
  nodeIp: '10.0.0.2',
  prefix: 24,
  deadLink: 'om-dead',
  deadPeer: 'om-dead-end',
  deadIp: '10.0.1.1',
  deadGateway: '10.0.1.2',
  podCidr: '10.244.0.0/24',
  clusterCidr: '10.244.0.0/16',
  serviceCidr: '10.96.0.0/16',
  apiServiceIp: '10.96.0.1',
  dnsIp: '10.96.0.10',
  nodeName: 'ordermesh-node',
  clusterDomain: 'cluster.local',
  apiPort: 6443,
} as const;

export interface Layout {
  readonly repo: string;
  /** `.ordermesh/cluster`: everything the cluster writes (git-ignored). */
  readonly root: string;
  readonly bin: string;
  readonly stamps: string;
  readonly pki: string;
  readonly etc: string;
  readonly data: string;
  readonly logs: string;
  readonly pids: string;
  readonly images: string;
  /** Sockets and runtime state (short paths: unix sockets are limited to 108 bytes). */
  readonly run: string;
  readonly containerdSocket: string;
  readonly kubeconfig: string;
  readonly stateFile: string;
}

export function layout(repo: string = REPO_ROOT): Layout {
  const root = join(repo, '.ordermesh', 'cluster');
  const run = '/run/ordermesh-cluster';
  return {
    repo,
    root,
    bin: join(root, 'bin'),
    stamps: join(root, 'stamps'),
    pki: join(root, 'pki'),
    etc: join(root, 'etc'),
    data: join(root, 'data'),
    logs: join(root, 'logs'),
    pids: join(root, 'pids'),
    images: join(root, 'images'),
    run,
    containerdSocket: join(run, 'containerd.sock'),
    kubeconfig: join(root, 'kubeconfig'),
    stateFile: join(root, 'state.json'),
  };
}

/** `KEY=value` lines of k8s/versions.env (the one place versions are pinned). */
export function parseVersionsEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!.trim();
  }
  return out;
}

export interface Versions {
  kubernetes: string;
  coredns: string;
  localPathProvisioner: string;
  metricsServer: string;
  istioApi: string;
}

export function versions(repo: string = REPO_ROOT): Versions {
  const env = parseVersionsEnv(readFileSync(join(repo, 'k8s', 'versions.env'), 'utf8'));
  const need = (k: string): string => {
    const v = env[k];
    if (!v) throw new Error(`k8s/versions.env: ${k} is not set`);
    return v;
  };
  return {
    kubernetes: need('KUBERNETES_VERSION'),
    coredns: need('COREDNS_VERSION'),
    localPathProvisioner: need('LOCAL_PATH_PROVISIONER_VERSION'),
    metricsServer: need('METRICS_SERVER_VERSION'),
    istioApi: need('ISTIO_API_VERSION'),
  };
}
