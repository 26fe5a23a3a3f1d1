import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  chaosConfig,
  collect,
  createdOrders,
  createWorld,
  evaluate,
  LoadDriver,
  sleep,
  waitForEvents,
  waitForSettled,
  type InvariantResult,
  type StockSample,
} from '@ordermesh/chaos';
import { ApiClient } from '@ordermesh/testing';
import { ClusterAudit } from './support/audit';
import {
  CHART,
  helmAsync,
  isReady,
  kubectlAsync,
  LOCAL_VALUES,
  mebibytes,
  NAMESPACE,
  RELEASE,
  ROOT,
  workloadPods,
} from './support/cluster';
import { ADMIN, closeForwards, forward, seed } from './support/platform';

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
  const audit = new ClusterAudit();
  const results: InvariantResult[] = [];
  const rss: Rss[][] = [];

  beforeAll(async () => {
    await seed();
    const gateway = await forward('gateway', 8080);
    const world = await createWorld(config, {
      anonymous: () => new ApiClient(gateway.url),
      admin: () => new ApiClient(gateway.url).login(ADMIN.email, ADMIN.password),
    });
    const t0 = Date.now();
    const now = () => Date.now() - t0;
    const driver = new LoadDriver(gateway.url, world, t0, 7);
    const productIds = world.products.map((p) => p.id);
    const stockSamples: StockSample[] = [];
    const sampler = setInterval(() => {
      audit
        .query<{ a: number; r: number; s: number }>(
          'inventory',
          `SELECT min(available)::int AS a, min(reserved)::int AS r, min(sold)::int AS s
             FROM stock_levels WHERE product_id = ANY($1::uuid[])`,
          [productIds],
        )
        .then(
          ([row]) =>
            row &&
            stockSamples.push({
              at: now(),
              minAvailable: row.a,
              minReserved: row.r,
              minSold: row.s,
            }),
        )
        .catch(() => undefined);
    }, 2_000);
    const deadLettersBefore = await audit.deadLetterCounts();
    const redisUrl = await audit.redisUrl();
    try {
      driver.start({
        orderRate: config.orderRate,
        viewRate: config.viewRate,
        healthyRate: config.healthyRate,
        maxInFlight: config.maxInFlight,
      });
      await sleep(config.warmupMs);
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
        `default.podAnnotations.ordermesh\\.io/rollout=r${t0}`,
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
      await sleep(config.afterRecoveryMs);
      rss.push(await serviceRss());
      await driver.stop();
      const scope = { customerIds: world.customers.map((c) => c.userId), since: t0 };
      const settled = await waitForSettled(
        audit,
        scope,
        [...driver.acceptedOrderIds()],
        t0 + recoveredAt + config.settleMs,
      );
      const settledAt = settled ? now() : undefined;
      const created = await createdOrders(audit, scope.customerIds, driver.unresolvedKeys());
      const reconciliationProblems = await driver.reconcile(created);
      await waitForEvents(audit, 60_000);
      const snapshot = await collect(
        audit,
        { ...scope, productIds, acceptedOrderIds: [...driver.acceptedOrderIds()] },
        deadLettersBefore,
        redisUrl,
      );
      results.push(
        ...evaluate({
          snapshot,
          initialStock: Object.fromEntries(world.products.map((p) => [p.id, p.initialStock])),
          acceptedOrderIds: driver.acceptedOrderIds(),
          records: driver.records,
          faultStartedAt,
          recoveredAt,
          settledAt,
          settleMs: config.settleMs,
          errorFreeAfterMs: config.errorFreeAfterMs,
          stockSamples,
          reconciliationProblems,
        }),
      );
      const dir = path.join(ROOT, 'results/test-cluster');
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        path.join(dir, 'disruption.json'),
        JSON.stringify(
          {
            requests: driver.records.length,
            accepted: driver.acceptedOrderIds().size,
            invariants: results,
            rss,
          },
          null,
          2,
        ),
      );
    } finally {
      clearInterval(sampler);
      await driver.stop();
      await audit.close();
    }
  }, 1_500_000);

  afterAll(closeForwards);

  it('the invariant checker finds every invariant kept', () => {
    expect(results.length).toBeGreaterThan(5);
    expect(results.filter((r) => !r.passed)).toEqual([]);
  });

  it('every service runs inside its memory limit under the load (RSS read in the pod)', () => {
    const all = rss.flat();
    expect(all.length).toBeGreaterThanOrEqual(18);
    expect(all.filter((r) => !(r.rssMiB > 0 && r.rssMiB < r.limitMiB))).toEqual([]);
  });
});
