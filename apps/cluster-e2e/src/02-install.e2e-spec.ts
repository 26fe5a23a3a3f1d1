import { SERVICE_NAMES } from '@ordermesh/contracts';
import { waitFor } from '@ordermesh/testing';
import path from 'node:path';
import {
  CHART,
  helm,
  isReady,
  kubectl,
  kubectlJson,
  LOCAL_VALUES,
  NAMESPACE,
  RELEASE,
  ROOT,
  workloadPods,
} from './support/cluster';

/**
 * `helm install` of the chart as a user runs it (Istio's data plane off: no proxy build runs here),
 * then every pod Ready with no restart and no OOM kill, and every claim bound.
 */
describe('helm install on the cluster', () => {
  beforeAll(() => {
    kubectl(['apply', '-f', path.join(ROOT, 'k8s/namespace.yaml')]);
    helm([
      'upgrade',
      '--install',
      RELEASE,
      CHART,
      '--namespace',
      NAMESPACE,
      '-f',
      LOCAL_VALUES,
      '--wait',
      '--timeout',
      '15m',
    ]);
  }, 1_000_000);

  it('the release is deployed', () => {
    const status = JSON.parse(helm(['status', RELEASE, '-n', NAMESPACE, '-o', 'json'])) as {
      info: { status: string };
    };
    expect(status.info.status).toBe('deployed');
  });

  it('every pod is Ready, none restarted, none OOM-killed', async () => {
    const all = await waitFor(
      async () => {
        const list = workloadPods();
        return list.length > 0 && list.every(isReady) ? list : undefined;
      },
      { timeoutMs: 300_000, intervalMs: 3_000, what: 'every pod Ready' },
    );
    const problems = all.flatMap((p) =>
      (p.status.containerStatuses ?? []).flatMap((c) => {
        const out: string[] = [];
        if (c.restartCount > 0)
          out.push(`${p.metadata.name}/${c.name}: ${c.restartCount} restarts`);
        const reason = c.lastState?.terminated?.reason;
        if (reason) out.push(`${p.metadata.name}/${c.name}: last terminated ${reason}`);
        return out;
      }),
    );
    expect(problems).toEqual([]);
    // Every workload the release created has its pods Ready, and the services are among them.
    const workloads = kubectlJson<{
      items: { kind: string; metadata: { name: string }; status: { readyReplicas?: number } }[];
    }>([
      '-n',
      NAMESPACE,
      'get',
      'deployments,statefulsets',
      '-l',
      `app.kubernetes.io/instance=${RELEASE}`,
    ]).items;
    expect(workloads.filter((w) => !w.status.readyReplicas).map((w) => w.metadata.name)).toEqual(
      [],
    );
    const names = workloads.map((w) => w.metadata.name);
    for (const service of [
      ...SERVICE_NAMES,
      'storefront',
      'postgresql',
      'kafka',
      'jaeger',
      'victorialogs',
      'prometheus',
    ])
      expect(names).toContain(service);
  });

  it('every claim is bound by the default StorageClass', () => {
    const claims = kubectlJson<{
      items: { metadata: { name: string }; status: { phase: string } }[];
    }>(['-n', NAMESPACE, 'get', 'pvc']).items;
    expect(claims.length).toBeGreaterThan(0);
    expect(claims.filter((c) => c.status.phase !== 'Bound').map((c) => c.metadata.name)).toEqual(
      [],
    );
  });
});
