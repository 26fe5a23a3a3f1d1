// The cluster's configuration files, rendered from the layout (pure functions: unit-tested).
import { join } from 'node:path';
import { NET, type Layout } from './layout.ts';

/** Self-built pause image, tagged as the name the kubelet and containerd expect. */
export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10.1';

export function containerdConfig(l: Layout): string {
  return `# containerd for the local cluster (rendered by tools/cluster/configs.ts)
version = 2
root = "${join(l.data, 'containerd')}"
state = "${join(l.run, 'containerd')}"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = "${l.containerdSocket}"

[plugins."io.containerd.internal.v1.opt"]
  path = "${join(l.data, 'containerd-opt')}"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${PAUSE_IMAGE}"
  # CAP_SYS_RESOURCE is missing on these hosts: negative oom_score_adj values would fail.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "/usr/sbin/runc"
        Root = "${join(l.run, 'runc')}"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${join(l.etc, 'cni')}"
`;
}

export function cniConfig(l: Layout): string {
  return `${JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'ordermesh',
      plugins: [
        {
          type: 'bridge',
          bridge: 'cni0',
          isGateway: true,
          ipMasq: true,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: NET.podCidr }]],
            routes: [{ dst: '0.0.0.0/0' }],
            dataDir: join(l.data, 'cni-ipam'),
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}

export function kubeletConfig(l: Layout): string {
  return `# kubelet of the local cluster (rendered by tools/cluster/configs.ts)
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# cgroup v1 hosts without systemd: 1.33 still runs there when told to.
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://${l.containerdSocket}
clusterDNS: [${NET.dnsIp}]
clusterDomain: ${NET.clusterDomain}
resolvConf: ${join(l.etc, 'resolv.conf')}
podLogsDir: ${join(l.data, 'pod-logs')}
address: ${NET.nodeIp}
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: ${join(l.pki, 'ca.crt')} }
authorization:
  mode: Webhook
serializeImagePulls: false
# Images are imported, never pulled: the image GC must not remove them.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: 200Mi
  nodefs.available: 1%
  imagefs.available: 1%
  nodefs.inodesFree: 1%
maxPods: 110
`;
}

export function kubeProxyConfig(l: Layout): string {
  return `# kube-proxy of the local cluster (rendered by tools/cluster/configs.ts)
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
hostnameOverride: ${NET.nodeName}
clusterCIDR: ${NET.clusterCidr}
clientConnection:
  kubeconfig: ${join(l.etc, 'kube-proxy.kubeconfig')}
# The host's conntrack table size cannot be raised from here.
conntrack:
  maxPerCore: 0
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
`;
}

/** A kubeconfig with one token user; `server` defaults to the apiserver's node address. */
export function kubeconfig(
  l: Layout,
  opts: { user: string; token: string; server?: string; context?: string },
): string {
  const server = opts.server ?? `https://${NET.nodeIp}:${NET.apiPort}`;
  const context = opts.context ?? 'ordermesh-local';
  return `apiVersion: v1
kind: Config
clusters:
  - name: ordermesh-local
    cluster:
      server: ${server}
      certificate-authority: ${join(l.pki, 'ca.crt')}
users:
  - name: ${opts.user}
    user:
      token: ${opts.token}
contexts:
  - name: ${context}
    context: { cluster: ordermesh-local, user: ${opts.user} }
current-context: ${context}
`;
}

/** Substitutes `{{NAME}}` placeholders of an addon manifest; an unknown placeholder is an error. */
export function fillTemplate(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{([A-Z_]+)\}\}/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`addon manifest: no value for {{${name}}}`);
    return v;
  });
}
