import { chaosConfig, sleep, type InvariantResult } from '@ordermesh/chaos';
import { auditedLoad, writeResult } from './support/audited-load';
import {
  CHART,
  helmAsync,
  isReady,
  kubectlAsync,
  LOCAL_VALUES,
  mebibytes,
  NAMESPACE,
  RELEASE,
  workloadPods,
} from './support/cluster';
import { closeForwards } from './support/platform';

/**
 * A bounded order load through the port-forwarded gateway while the release is upgraded (every
 * Deployment rolls) and the order and payment pods are deleted; then the chaos suite's invariant
 * checker audits the release: every accepted order final, no double charge, stock conserved,
 * nothing lost on Kafka. Meanwhile each service's RSS, read in its pod, stays inside its limit.
 */
const config = {
  ...chaosConfig('short'),
  orderRate: 2,
  viewRate: 1,
  healthyRate: 1,
  customers: 6,
  products: 2,
  stockPerProduct: 10_000,
  scarceStock: 15,
  warmupMs: 10_000,
  afterRecoveryMs: 10_000,
  maxInFlight: 100,
  settleMs: 180_000,
  errorFreeAfterMs: 60_000,
};

interface Rss {
  pod: string;
  container: string;
  rssMiB: number;
  limitMiB: number;
}

/** VmRSS of PID 1 of every serving service container (node is PID 1), beside its memory limit. */
async function serviceRss(): Promise<Rss[]> {
  const containers = workloadPods()
    .filter(
      (p) =>
        p.metadata.labels?.['app.kubernetes.io/component'] === 'service' &&
        isReady(p) &&
        !p.metadata.deletionTimestamp,
    )
    .flatMap((p) => p.spec.containers.map((c) => ({ p, c })));
  return Promise.all(
    containers.map(async ({ p, c }) => {
      const status = await kubectlAsync([
        '-n',
        NAMESPACE,
        'exec',
        p.metadata.name,
        '-c',
        c.name,
        '--',
        'cat',
        '/proc/1/status',
      ]);
      const kib = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
      return {
        pod: p.metadata.name,
        container: c.name,
        rssMiB: Math.round(kib / 1024),
        limitMiB: mebibytes(c.resources?.limits?.['memory'] ?? '0'),
      };
    }),
  );
}

describe('orders during a helm upgrade and the deletion of the order and payment pods', () => {
  let invariants: InvariantResult[] = [];
  const rss: Rss[][] = [];

  beforeAll(async () => {
    const run = await auditedLoad(config, async ({ now }) => {
      const faultStartedAt = now();
      // A changed release: a new pod annotation rolls every Deployment.
      // Asynchronous calls from here on: the load driver runs in this process meanwhile.
      await helmAsync([
        'upgrade',
        RELEASE,
        CHART,
        '-n',
        NAMESPACE,
        '-f',
        LOCAL_VALUES,
        '--set',
        `default.podAnnotations.ordermesh\\.io/rollout=r${Date.now()}`,
        '--wait',
        '--timeout',
        '10m',
      ]);
      rss.push(await serviceRss());
      for (const service of ['order', 'payment'])
        await kubectlAsync([
          '-n',
          NAMESPACE,
          'delete',
          'pod',
          '-l',
          `app.kubernetes.io/name=${service}`,
          '--wait=false',
        ]);
      for (const service of ['order', 'payment'])
        await kubectlAsync([
          '-n',
          NAMESPACE,
          'rollout',
          'status',
          `deploy/${service}`,
          '--timeout=300s',
        ]);
      const recoveredAt = now();
      await sleep(config.afterRecoveryMs / 2);
      rss.push(await serviceRss());
      return { faultStartedAt, recoveredAt };
    });
    invariants = run.invariants;
    writeResult('disruption', {
      requests: run.driver.records.length,
      accepted: run.driver.acceptedOrderIds().size,
      invariants,
      rss,
    });
  }, 1_500_000);

  afterAll(closeForwards);

  it('the invariant checker finds every invariant kept', () => {
    expect(invariants.length).toBeGreaterThan(5);
    expect(invariants.filter((r) => !r.passed)).toEqual([]);
  });

  it('every service runs inside its memory limit under the load (RSS read in the pod)', () => {
    const all = rss.flat();
    expect(all.length).toBeGreaterThanOrEqual(18);
    expect(all.filter((r) => !(r.rssMiB > 0 && r.rssMiB < r.limitMiB))).toEqual([]);
  });
});
