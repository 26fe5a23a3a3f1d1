// What a kind cluster brings that a bare control plane lacks: DNS, a default StorageClass with a
// provisioner, the apiserver's grant on the kubelet API, the resource metrics API (metrics-server,
// which the HPAs read) and the Istio CRDs (the data plane is off).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { fillTemplate } from './configs.ts';
import { NET, type Layout, type Versions } from './layout.ts';
import { run } from '../platform/setup.ts';
import { kubectl } from './kube.ts';
import { istioCrds } from './build.ts';

export function corednsManifest(l: Layout, v: Versions): string {
  const text = readFileSync(join(l.repo, 'k8s', 'local', 'addons', 'coredns.yaml'), 'utf8');
  return fillTemplate(text, {
    COREDNS_IMAGE: `ordermesh.local/coredns:${v.coredns}`,
    DNS_IP: NET.dnsIp,
  });
}

type Obj = { kind?: string; metadata?: Record<string, unknown>; [k: string]: unknown };

/**
 * local-path-provisioner's own manifest (deploy/local-path-storage.yaml of its Go module), with the
 * locally built images, volumes under the cluster's data folder, and its StorageClass the default.
 */
export function localPathManifest(l: Layout, v: Versions): string {
  const mod = run('go', ['env', 'GOMODCACHE']).stdout.trim();
  const file = join(
    mod,
    `github.com/rancher/local-path-provisioner@${v.localPathProvisioner}`,
    'deploy',
    'local-path-storage.yaml',
  );
  const docs = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Obj | null);
  const out: Obj[] = [];
  for (const doc of docs) {
    if (!doc) continue;
    if (doc.kind === 'Deployment') {
      const pod = (
        doc as { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } }
      ).spec.template.spec;
      for (const c of pod.containers) {
        c.image = `ordermesh.local/local-path-provisioner:${v.localPathProvisioner}`;
        c.imagePullPolicy = 'Never';
      }
    }
    if (doc.kind === 'StorageClass') {
      doc.metadata = {
        ...doc.metadata,
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      };
    }
    if (doc.kind === 'ConfigMap') {
      const data = (doc as { data: Record<string, string> }).data;
      data['config.json'] = JSON.stringify({
        nodePathMap: [
          { node: 'DEFAULT_PATH_FOR_NON_LISTED_NODES', paths: [join(l.data, 'local-path')] },
        ],
      });
      data['helperPod.yaml'] = (data['helperPod.yaml'] ?? '')
        .replace(/image: busybox/, 'image: ordermesh.local/busybox:debian')
        .replace(/imagePullPolicy: IfNotPresent/, 'imagePullPolicy: Never');
    }
    out.push(doc);
  }
  return out.map((d) => JSON.stringify(d)).join('\n---\n');
}

/**
 * metrics-server's own manifest (manifests/base of its Go module, the labels its kustomization
 * adds), with the locally built image; the kubelet's serving certificate is its own self-signed
 * one, and the node is reached by its InternalIP.
 */
export function metricsServerManifest(v: Versions): string {
  const mod = run('go', ['env', 'GOMODCACHE']).stdout.trim();
  const base = join(mod, `sigs.k8s.io/metrics-server@${v.metricsServer}`, 'manifests', 'base');
  const labels = { 'k8s-app': 'metrics-server' };
  const out: Obj[] = [];
  for (const file of ['rbac.yaml', 'service.yaml', 'deployment.yaml', 'apiservice.yaml']) {
    for (const d of parseAllDocuments(readFileSync(join(base, file), 'utf8'))) {
      const doc = d.toJS() as Obj | null;
      if (!doc) continue;
      const meta = (doc.metadata ?? {}) as { labels?: Record<string, string> };
      doc.metadata = { ...meta, labels: { ...meta.labels, ...labels } };
      if (doc.kind === 'Service') (doc as { spec: Record<string, unknown> }).spec.selector = labels;
      if (doc.kind === 'Deployment') {
        const spec = (doc as { spec: Record<string, unknown> }).spec as {
          selector?: unknown;
          template: {
            metadata?: Record<string, unknown>;
            spec: { containers: Array<Record<string, unknown>> };
          };
        };
        spec.selector = { matchLabels: labels };
        spec.template.metadata = { ...spec.template.metadata, labels };
        for (const c of spec.template.spec.containers) {
          c.image = `ordermesh.local/metrics-server:${v.metricsServer}`;
          c.imagePullPolicy = 'Never';
          c.args = [
            ...(c.args as string[]).filter(
              (a) => !a.startsWith('--kubelet-preferred-address-types'),
            ),
            '--kubelet-preferred-address-types=InternalIP',
            '--kubelet-insecure-tls',
          ];
          (c.securityContext as Record<string, unknown>).runAsUser = 65534;
        }
      }
      out.push(doc);
    }
  }
  return out.map((d) => JSON.stringify(d)).join('\n---\n');
}

export function applyAddons(l: Layout, v: Versions): void {
  kubectl(l, ['apply', '-f', join(l.repo, 'k8s', 'local', 'addons', 'kubelet-api.yaml')]);
  kubectl(l, ['apply', '-f', '-'], corednsManifest(l, v));
  kubectl(l, ['apply', '-f', '-'], localPathManifest(l, v));
  kubectl(l, ['apply', '-f', '-'], metricsServerManifest(v));
  kubectl(l, ['apply', '--server-side', '-f', istioCrds(v)]);
}
