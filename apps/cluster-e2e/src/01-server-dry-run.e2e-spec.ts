import { randomBytes } from 'node:crypto';
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

/** Namespaces of this run (a deleted one takes a while to go: never reuse a name). */
const RUN = `ordermesh-dryrun-${randomBytes(3).toString('hex')}`;

const RESTRICTED = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
};

interface RenderedObject {
  kind: string;
  metadata?: { namespace?: string };
}

/** Namespaces outside this run's prefix (the ingress gateway's) that this run had to create. */
const createdOutsideRun = new Set<string>();

function exists(name: string): boolean {
  return kubectlRaw(['get', 'namespace', name, '-o', 'name']).status === 0;
}

function ensureRestrictedNamespace(name: string): void {
  const ns = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: RESTRICTED },
  };
  kubectl(['apply', '-f', '-'], JSON.stringify(ns));
}

describe('the chart against the real apiserver (server-side dry run, restricted Pod Security)', () => {
  it('a workload that breaks restricted Pod Security is warned about (negative control)', () => {
    ensureRestrictedNamespace(`${RUN}-control`);
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'unrestricted', namespace: `${RUN}-control` },
      spec: {
        selector: { matchLabels: { app: 'p' } },
        template: {
          metadata: { labels: { app: 'p' } },
          // no securityContext: may escalate, keeps capabilities, may run as root
          spec: { containers: [{ name: 'c', image: 'x' }] },
        },
      },
    };
    const r = kubectlRaw(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(deployment));
    expect(r.stderr).toMatch(/Warning: would violate PodSecurity "restricted:latest"/);
  });

  it('Istio objects are validated by their CRD schemas (negative control: an unknown action is refused)', () => {
    const policy = {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'bad', namespace: `${RUN}-control` },
      spec: { action: 'ALLOWZ' },
    };
    const r = kubectlRaw(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(policy));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/ALLOWZ/);
  });

  it.each(scenarios)('$name: every object is admitted, with no warning', ({ name, args }) => {
    const namespace = `${RUN}-${name}`;
    const manifest = helm(['template', RELEASE, CHART, '--namespace', namespace, ...args]);
    const docs = parseAllDocuments(manifest)
      .map((d) => ({ text: d.toString(), obj: d.toJS() as RenderedObject | null }))
      .filter((d): d is { text: string; obj: RenderedObject } => !!d.obj?.kind);
    expect(docs.length).toBeGreaterThan(20);
    // kubectl refuses an object whose namespace is not the one it applies to (the ingress TLS
    // Secret lives in the ingress gateway's namespace): each namespace's objects go in one apply,
    // after that namespace exists, as `helm install` and `make deploy` would have it.
    const byNamespace = new Map<string, typeof docs>();
    for (const d of docs) {
      const ns = d.obj.metadata?.namespace ?? namespace;
      byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), d]);
    }
    let admitted = 0;
    for (const [ns, group] of byNamespace) {
      if (!ns.startsWith(RUN) && !exists(ns)) createdOutsideRun.add(ns);
      ensureRestrictedNamespace(ns);
      const r = kubectlRaw(
        ['apply', '--dry-run=server', '--namespace', ns, '-f', '-'],
        group.map((d) => d.text).join('---\n'),
      );
      expect({ namespace: ns, status: r.status, stderr: r.stderr }).toEqual({
        namespace: ns,
        status: 0,
        stderr: '',
      });
      admitted += r.stdout.split('\n').filter((l) => l.includes('(server dry run)')).length;
    }
    expect(admitted).toBe(docs.length);
  });

  afterAll(() => {
    const names = kubectl(['get', 'namespaces', '-o', 'name'])
      .split('\n')
      .filter((n) => n.startsWith(`namespace/${RUN}-`) || createdOutsideRun.has(n.slice(10)));
    if (names.length > 0) kubectl(['delete', '--wait=false', ...names]);
  });
});
