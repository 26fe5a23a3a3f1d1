import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { corednsManifest } from '../addons.ts';
import { kubeLdflags, requiredVersion, systemImages } from '../build.ts';
import {
  cniConfig,
  containerdConfig,
  fillTemplate,
  kubeconfig,
  kubeletConfig,
  kubeProxyConfig,
} from '../configs.ts';
import { layout, NET, parseVersionsEnv, REPO_ROOT, versions } from '../layout.ts';
import { APISERVER_SANS, tokenAuthFile } from '../pki.ts';

const l = layout('/r');
const v = {
  kubernetes: 'v1.33.13',
  coredns: 'v1.14.7',
  localPathProvisioner: 'v0.0.30',
  metricsServer: 'v0.8.0',
  istioApi: 'v1.32.0',
};

describe('node configuration', () => {
  it('kubelet: cgroup v1 without systemd, the cluster DNS, no anonymous or read-only access', () => {
    const k = parse(kubeletConfig(l)) as Record<string, unknown>;
    assert.equal(k.cgroupDriver, 'cgroupfs');
    assert.equal(k.failCgroupV1, false);
    assert.deepEqual(k.clusterDNS, [NET.dnsIp]);
    assert.equal(k.containerRuntimeEndpoint, `unix://${l.containerdSocket}`);
    assert.deepEqual(k.authentication, {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: '/r/.ordermesh/cluster/pki/ca.crt' },
    });
    assert.equal((k.authorization as { mode: string }).mode, 'Webhook');
    assert.equal(k.readOnlyPort, 0);
  });

  it('containerd: runc, cgroupfs, restricted oom_score_adj, state under the cluster folders', () => {
    const c = containerdConfig(l);
    assert.match(c, /restrict_oom_score_adj = true/);
    assert.match(c, /SystemdCgroup = false/);
    assert.match(c, /BinaryName = "\/usr\/sbin\/runc"/);
    assert.match(c, /root = "\/r\/\.ordermesh\/cluster\/data\/containerd"/);
    assert.match(c, /sandbox_image = "registry\.k8s\.io\/pause:/);
  });

  it('CNI: one bridge for the pod range, host-local addresses kept in the cluster folder', () => {
    const c = JSON.parse(cniConfig(l)) as {
      plugins: Array<{ type: string; ipam?: { ranges: unknown; dataDir: string } }>;
    };
    assert.deepEqual(
      c.plugins.map((p) => p.type),
      ['bridge', 'portmap'],
    );
    assert.deepEqual(c.plugins[0]!.ipam!.ranges, [[{ subnet: NET.podCidr }]]);
    assert.equal(c.plugins[0]!.ipam!.dataDir, '/r/.ordermesh/cluster/data/cni-ipam');
  });

  it('kube-proxy: iptables mode without touching the host conntrack table', () => {
    const k = parse(kubeProxyConfig(l)) as {
      mode: string;
      conntrack: { maxPerCore: number };
      clusterCIDR: string;
    };
    assert.equal(k.mode, 'iptables');
    assert.equal(k.conntrack.maxPerCore, 0);
    assert.equal(k.clusterCIDR, NET.clusterCidr);
  });

  it('kubeconfig: token user, the cluster CA, the node address', () => {
    const k = parse(kubeconfig(l, { user: 'u', token: 't' })) as {
      clusters: Array<{ cluster: { server: string; 'certificate-authority': string } }>;
      users: Array<{ user: { token: string } }>;
    };
    assert.equal(k.clusters[0]!.cluster.server, `https://${NET.nodeIp}:${NET.apiPort}`);
    assert.equal(k.users[0]!.user.token, 't');
  });

  it('CoreDNS serves only the cluster domain (no forwarder: the namespace has no way out)', () => {
    const docs = parseAllDocuments(corednsManifest(layout(REPO_ROOT), v)).map((d) => d.toJS());
    const corefile = docs.find((d) => d.kind === 'ConfigMap').data.Corefile as string;
    assert.match(corefile, new RegExp(`kubernetes ${NET.clusterDomain}`));
    assert.doesNotMatch(corefile, /forward/);
    const service = docs.find((d) => d.kind === 'Service');
    assert.equal(service.spec.clusterIP, NET.dnsIp);
  });
});

describe('identities', () => {
  it('one token line per component, groups quoted, the admin alone in system:masters', () => {
    const lines = tokenAuthFile({
      admin: 'a',
      controllerManager: 'c',
      scheduler: 's',
      kubelet: 'k',
      kubeProxy: 'p',
    })
      .trim()
      .split('\n');
    assert.equal(lines.length, 5);
    assert.equal(lines.filter((x) => x.includes('system:masters')).length, 1);
    assert.ok(
      lines.includes(`k,system:node:${NET.nodeName},system:node:${NET.nodeName},"system:nodes"`),
    );
  });

  it("the apiserver's certificate names every address it is reached by", () => {
    for (const san of [
      `IP:${NET.nodeIp}`,
      `IP:${NET.apiServiceIp}`,
      'DNS:kubernetes.default.svc.cluster.local',
    ])
      assert.ok(APISERVER_SANS.includes(san), san);
  });
});

describe('versions', () => {
  it('k8s/versions.env pins what the Go modules under k8s/local/go require', () => {
    const v = versions(REPO_ROOT);
    const mod = (name: string): string =>
      readFileSync(join(REPO_ROOT, 'k8s', 'local', 'go', name, 'go.mod'), 'utf8');
    assert.equal(requiredVersion(mod('kubernetes'), 'k8s.io/kubernetes'), v.kubernetes);
    assert.equal(requiredVersion(mod('coredns'), 'github.com/coredns/coredns'), v.coredns);
    assert.equal(
      requiredVersion(mod('local-path-provisioner'), 'github.com/rancher/local-path-provisioner'),
      v.localPathProvisioner,
    );
    assert.equal(
      requiredVersion(mod('metrics-server'), 'sigs.k8s.io/metrics-server'),
      v.metricsServer,
    );
  });

  it('stamps the release version into the binaries (the chart checks kubeVersion)', () => {
    const ld = kubeLdflags('v1.33.13');
    assert.match(ld, /k8s\.io\/component-base\/version\.gitVersion=v1\.33\.13/);
    assert.match(ld, /gitMinor=33/);
    assert.throws(() => kubeLdflags('1.33'));
  });

  it('parses KEY=value lines and ignores comments', () => {
    assert.deepEqual(parseVersionsEnv('# c\nA=1\nB = x\nC=v2\n'), { A: '1', C: 'v2' });
  });

  it('system images run as non-root where the cluster allows it', () => {
    const imgs = systemImages(l, {
      kubernetes: 'v1',
      coredns: 'v1.14.7',
      localPathProvisioner: 'v0',
      metricsServer: 'v0.8.0',
      istioApi: 'v1',
    });
    assert.equal(imgs.find((i) => i.ref.includes('coredns'))!.user, '65532:65532');
    assert.equal(imgs.find((i) => i.ref.includes('metrics-server'))!.user, '65534:65534');
  });
});

describe('addon templates', () => {
  it('fills every placeholder and refuses an unknown one', () => {
    assert.equal(fillTemplate('a {{X}} b', { X: '1' }), 'a 1 b');
    assert.throws(() => fillTemplate('{{Y}}', {}), /Y/);
  });
});
