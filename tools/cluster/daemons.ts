// The cluster's daemons: how each one starts (inside the namespace) and when it is ready.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { NET, type Layout } from './layout.ts';
import { inNamespace } from './netns.ts';
import { apiGet } from './kube.ts';
import type { Tokens } from './pki.ts';

export interface Daemon {
  name: string;
  argv: string[];
  /** One readiness probe. */
  ready(): Promise<boolean>;
  readyTimeoutMs: number;
}

function nsSucceeds(argv: string[]): boolean {
  return (
    spawnSync(inNamespace(argv)[0]!, inNamespace(argv).slice(1), { stdio: 'ignore', timeout: 5000 })
      .status === 0
  );
}

/** In start order; `down` stops them in reverse. */
export function daemons(l: Layout, tokens: Tokens): Daemon[] {
  const bin = (c: string): string => join(l.bin, c);
  const etc = (f: string): string => join(l.etc, f);
  const pki = (f: string): string => join(l.pki, f);
  return [
    {
      name: 'etcd',
      argv: [
        'etcd',
        '--name=ordermesh',
        `--data-dir=${join(l.data, 'etcd')}`,
        '--listen-client-urls=http://127.0.0.1:2379',
        '--advertise-client-urls=http://127.0.0.1:2379',
        '--listen-peer-urls=http://127.0.0.1:2380',
        '--initial-advertise-peer-urls=http://127.0.0.1:2380',
        '--initial-cluster=ordermesh=http://127.0.0.1:2380',
        '--listen-metrics-urls=http://127.0.0.1:2381',
        '--quota-backend-bytes=2147483648',
        '--logger=zap',
      ],
      ready: async () =>
        nsSucceeds(['etcdctl', '--endpoints=http://127.0.0.1:2379', 'endpoint', 'health']),
      readyTimeoutMs: 60_000,
    },
    {
      name: 'kube-apiserver',
      argv: [
        bin('kube-apiserver'),
        '--etcd-servers=http://127.0.0.1:2379',
        `--advertise-address=${NET.nodeIp}`,
        '--bind-address=0.0.0.0',
        `--secure-port=${NET.apiPort}`,
        `--service-cluster-ip-range=${NET.serviceCidr}`,
        `--token-auth-file=${pki('tokens.csv')}`,
        `--client-ca-file=${pki('ca.crt')}`,
        `--tls-cert-file=${pki('apiserver.crt')}`,
        `--tls-private-key-file=${pki('apiserver.key')}`,
        `--kubelet-client-certificate=${pki('apiserver-kubelet-client.crt')}`,
        `--kubelet-client-key=${pki('apiserver-kubelet-client.key')}`,
        // The node name does not resolve: reach the kubelet by its InternalIP.
        '--kubelet-preferred-address-types=InternalIP',
        // The aggregation layer, for metrics-server's metrics.k8s.io (the HPA's CPU readings).
        `--requestheader-client-ca-file=${pki('ca.crt')}`,
        '--requestheader-allowed-names=front-proxy-client',
        '--requestheader-username-headers=X-Remote-User',
        '--requestheader-group-headers=X-Remote-Group',
        '--requestheader-extra-headers-prefix=X-Remote-Extra-',
        `--proxy-client-cert-file=${pki('front-proxy-client.crt')}`,
        `--proxy-client-key-file=${pki('front-proxy-client.key')}`,
        '--enable-aggregator-routing=true',
        '--authorization-mode=Node,RBAC',
        '--enable-admission-plugins=NodeRestriction',
        `--service-account-issuer=https://kubernetes.default.svc.${NET.clusterDomain}`,
        `--service-account-key-file=${pki('sa.pub')}`,
        `--service-account-signing-key-file=${pki('sa.key')}`,
        '--allow-privileged=false',
        '--profiling=false',
        '--anonymous-auth=false',
        '--event-ttl=30m',
      ],
      ready: async () => (await apiGet(l, '/readyz', tokens.admin)) === 200,
      readyTimeoutMs: 180_000,
    },
    {
      name: 'kube-controller-manager',
      argv: [
        bin('kube-controller-manager'),
        `--kubeconfig=${etc('controller-manager.kubeconfig')}`,
        `--authentication-kubeconfig=${etc('controller-manager.kubeconfig')}`,
        `--authorization-kubeconfig=${etc('controller-manager.kubeconfig')}`,
        `--service-account-private-key-file=${pki('sa.key')}`,
        `--root-ca-file=${pki('ca.crt')}`,
        '--use-service-account-credentials=true',
        `--cluster-cidr=${NET.clusterCidr}`,
        `--service-cluster-ip-range=${NET.serviceCidr}`,
        '--leader-elect=false',
        '--bind-address=127.0.0.1',
        '--profiling=false',
      ],
      ready: async () => true,
      readyTimeoutMs: 10_000,
    },
    {
      name: 'kube-scheduler',
      argv: [
        bin('kube-scheduler'),
        `--kubeconfig=${etc('scheduler.kubeconfig')}`,
        `--authentication-kubeconfig=${etc('scheduler.kubeconfig')}`,
        `--authorization-kubeconfig=${etc('scheduler.kubeconfig')}`,
        '--leader-elect=false',
        '--bind-address=127.0.0.1',
        '--profiling=false',
      ],
      ready: async () => true,
      readyTimeoutMs: 10_000,
    },
    {
      name: 'containerd',
      argv: ['containerd', `--config=${etc('containerd.toml')}`],
      ready: async () =>
        spawnSync('ctr', ['--address', l.containerdSocket, 'version'], {
          stdio: 'ignore',
          timeout: 5000,
        }).status === 0,
      readyTimeoutMs: 60_000,
    },
    {
      name: 'kubelet',
      argv: [
        bin('kubelet'),
        `--config=${etc('kubelet.yaml')}`,
        `--kubeconfig=${etc('kubelet.kubeconfig')}`,
        `--root-dir=${join(l.data, 'kubelet')}`,
        `--node-ip=${NET.nodeIp}`,
        `--hostname-override=${NET.nodeName}`,
      ],
      ready: async () => healthz(10248),
      readyTimeoutMs: 120_000,
    },
    {
      name: 'kube-proxy',
      argv: [bin('kube-proxy'), `--config=${etc('kube-proxy.yaml')}`],
      ready: async () => healthz(10256),
      readyTimeoutMs: 60_000,
    },
  ];
}

/**
 * A plain-HTTP healthz on the namespace's loopback (via busybox wget, present with the cluster).
 * No `-T`: Debian 12's busybox-static 1.35 wget segfaults with it; nsSucceeds bounds the wait.
 */
function healthz(port: number): boolean {
  return nsSucceeds([
    'busybox',
    'wget',
    '-q',
    '-O',
    '/dev/null',
    `http://127.0.0.1:${port}/healthz`,
  ]);
}
