// A bounded chaos-suite load through the port-forwarded gateway around a disruption of the
// release, then the suite's invariant checker over what the release holds afterwards.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  collect,
  createdOrders,
  createWorld,
  evaluate,
  LoadDriver,
  sleep,
  waitForEvents,
  waitForSettled,
  type ChaosConfig,
  type InvariantResult,
  type StockSample,
  type World,
} from '@ordermesh/chaos';
import { ApiClient } from '@ordermesh/testing';
import { ClusterAudit } from './audit';
import { ROOT } from './cluster';
import { ADMIN, forward, seed } from './platform';

/** When the disruption began and when the release was whole again (ms since the load began). */
export interface Disruption {
  faultStartedAt: number;
  recoveredAt: number;
}

export interface LoadRun {
  driver: LoadDriver;
  world: World;
  /** ms since the load began */
  now: () => number;
}

export interface AuditedLoad {
  driver: LoadDriver;
  disruption: Disruption;
  invariants: InvariantResult[];
}

/**
 * Seeds the release, starts `config`'s load, lets it warm up, runs `disrupt` under it, waits
 * `afterRecoveryMs`, stops the load and audits: every accepted order final within `settleMs`,
 * one order per idempotency key, no double charge, stock conserved (sampled every 2 s), nothing
 * lost on Kafka.
 */
export async function auditedLoad(
  config: ChaosConfig,
  disrupt: (run: LoadRun) => Promise<Disruption>,
  seedNo = 7,
): Promise<AuditedLoad> {
  const audit = new ClusterAudit();
  await seed();
  const gateway = await forward('gateway', 8080);
  const world = await createWorld(config, {
    anonymous: () => new ApiClient(gateway.url),
    admin: () => new ApiClient(gateway.url).login(ADMIN.email, ADMIN.password),
  });
  const t0 = Date.now();
  const now = () => Date.now() - t0;
  const driver = new LoadDriver(gateway.url, world, t0, seedNo);
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
          stockSamples.push({ at: now(), minAvailable: row.a, minReserved: row.r, minSold: row.s }),
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
    const disruption = await disrupt({ driver, world, now });
    await sleep(config.afterRecoveryMs);
    await driver.stop();
    const scope = { customerIds: world.customers.map((c) => c.userId), since: t0 };
    const settled = await waitForSettled(
      audit,
      scope,
      [...driver.acceptedOrderIds()],
      t0 + disruption.recoveredAt + config.settleMs,
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
    const invariants = evaluate({
      snapshot,
      initialStock: Object.fromEntries(world.products.map((p) => [p.id, p.initialStock])),
      acceptedOrderIds: driver.acceptedOrderIds(),
      records: driver.records,
      ...disruption,
      settledAt,
      settleMs: config.settleMs,
      errorFreeAfterMs: config.errorFreeAfterMs,
      stockSamples,
      reconciliationProblems,
    });
    return { driver, disruption, invariants };
  } finally {
    clearInterval(sampler);
    await driver.stop();
    await audit.close();
  }
}

/** Writes a spec's findings beside the suite's results. */
export function writeResult(name: string, result: unknown): void {
  const dir = path.join(ROOT, 'results/test-cluster');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(result, null, 2));
}
