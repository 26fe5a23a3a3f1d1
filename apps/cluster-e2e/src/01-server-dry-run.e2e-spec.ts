import { globSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CHART, helm, kubectl, kubectlRaw, RELEASE } from './support/cluster';

/**
 * Every render the chart is tested with (defaults and ci/*-values.yaml) passes the real apiserver's
 * admission — `kubectl apply --dry-run=server` — in a namespace that enforces the restricted Pod
 * Security profile, with Istio's objects checked against the installed CRD schemas. `helm install
 * --dry-run=server` would not run admission; kubectl does.
 */
const scenarios = [
  { name: 'defaults', args: [] as string[] },
  ...globSync('ci/*-values.yaml', { cwd: CHART })
    .sort()
    .map((f) => ({ name: path.basename(f, '-values.yaml'), args: ['-f', path.join(CHART, f)] })),
];

const RESTRICTED = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
};

function ensureRestrictedNamespace(name: string): void {
  const ns = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: RESTRICTED },
  };
  kubectl(['apply', '-f', '-'], JSON.stringify(ns));
}

describe('the chart against the real apiserver (server-side dry run, restricted Pod Security)', () => {
  it('the apiserver enforces restricted Pod Security (negative control: a privileged pod is refused)', () => {
    ensureRestrictedNamespace('ordermesh-dryrun-control');
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'privileged', namespace: 'ordermesh-dryrun-control' },
      spec: { containers: [{ name: 'c', image: 'x', securityContext: { privileged: true } }] },
    };
    const r = kubectlRaw(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(pod));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/violates PodSecurity "restricted/);
  });

  it('Istio objects are validated by their CRD schemas (negative control: an unknown action is refused)', () => {
    const policy = {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'bad', namespace: 'ordermesh-dryrun-control' },
      spec: { action: 'ALLOWZ' },
    };
    const r = kubectlRaw(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(policy));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/ALLOWZ/);
  });

  it.each(scenarios)('$name: every object is admitted, with no warning', ({ name, args }) => {
    const namespace = `ordermesh-dryrun-${name}`;
    const manifest = helm(['template', RELEASE, CHART, '--namespace', namespace, ...args]);
    const docs = parseAllDocuments(manifest)
      .map((d) => d.toJS() as { kind?: string; metadata?: { namespace?: string } } | null)
      .filter((d): d is { kind: string; metadata?: { namespace?: string } } => !!d?.kind);
    expect(docs.length).toBeGreaterThan(20);
    // The release namespace (and any other one the render names) exists first, as `make deploy` does.
    const namespaces = new Set([namespace, ...docs.map((d) => d.metadata?.namespace ?? namespace)]);
    for (const ns of namespaces) ensureRestrictedNamespace(ns);
    const r = kubectlRaw(
      ['apply', '--dry-run=server', '--namespace', namespace, '-f', '-'],
      manifest,
    );
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout.split('\n').filter((l) => l.includes('(server dry run)')).length).toBe(
      docs.length,
    );
  });

  afterAll(() => {
    const names = kubectl(['get', 'namespaces', '-o', 'name'])
      .split('\n')
      .filter((n) => n.startsWith('namespace/ordermesh-dryrun-'));
    if (names.length > 0) kubectl(['delete', '--wait=false', ...names]);
  });
});
