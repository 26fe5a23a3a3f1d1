import { ordermeshJson } from '@ordermesh/testing';
import { admin, anonymous } from '../support/fixtures';
import {
  createdOrders,
  waitForEvents,
  waitForSagas,
  waitForSettled,
  type ChaosConfig,
  type InvariantResult,
  type Snapshot,
  collect,
  evaluate,
  isErrorRecord,
  type LoadOptions,
  LoadDriver,
  sleep,
  type ScenarioReport,
  summariseRequests,
  writeReport,
  type World,
  createWorld,
} from '@ordermesh/chaos';
import { ALL_SERVICES, Platform } from './control';
import { Sampler } from './sampler';

export interface ScenarioContext {
  config: ChaosConfig;
  platform: Platform;
  driver: LoadDriver;
  sampler: Sampler;
  world: World;
  /** ms since the scenario started. */
  now(): number;
  notes: string[];
  load: LoadOptions;
  /** Changes the load (e.g. a share of declined payments) from now on. */
  setLoad(changes: Partial<LoadOptions>): void;
  /** Marks the start of the fault and the moment the platform was restored. */
  faultStarted(): void;
  recovered(): void;
  /** ms since the scenario started; `end` is now while the fault lasts. */
  faultWindow(): { start: number; end: number };
  /** The scope the invariant checker audits (customers, products, since when). */
  orderScope(): { customerIds: string[]; since: number };
}

export interface Scenario {
  id: string;
  title: string;
  /** Part of the short suite (`make test`)? */
  short: boolean;
  /** Rewinds every consumer group to offset zero (see EvaluationInput.historyReplayed). */
  replaysHistory?: boolean;
  /** Between the warm-up and the post-recovery load: inject, hold, recover. */
  run(ctx: ScenarioContext): Promise<void>;
  /** Scenario-specific verdicts, after the common invariants. */
  verify?(ctx: ScenarioContext, snapshot: Snapshot): Promise<InvariantResult[]>;
  /** Always runs, even after a failure: undo what `run` may have left behind. */
  cleanup?(ctx: ScenarioContext): Promise<void>;
}

export interface ScenarioOutcome {
  report: ScenarioReport;
  files: { json: string; md: string };
}

/**
 * Every component running and ready, every fault cleared, every database reachable; with
 * `drain`, also no event backlog (a previous scenario's must not spill into the next one).
 */
export async function ensureHealthyPlatform(platform: Platform, drain = true): Promise<void> {
  await platform.restoreAllDatabases().catch(() => undefined);
  const status = await ordermeshJson<{ component: string; state: string }[]>('status');
  for (const component of status.filter((c) => c.state !== 'running')) {
    await platform.cli('start', component.component);
  }
  // A component counts once seen up: the CLI's probes (1 s timeouts) flicker on a loaded machine.
  const seenUp = new Set<string>();
  const deadline = Date.now() + 120_000;
  for (;;) {
    const now = await ordermeshJson<{ component: string; health: string }[]>('status');
    for (const c of now) if (c.health === 'up') seenUp.add(c.component);
    const down = now.filter((c) => !seenUp.has(c.component)).map((c) => c.component);
    if (down.length === 0) break;
    if (Date.now() > deadline) throw new Error(`platform not healthy: ${down.join(', ')} down`);
    await sleep(1_000);
  }
  if (drain) {
    await waitForSagas(platform, 180_000);
    await waitForEvents(platform, 120_000, () => platform.resetKafka());
  }
  platform.quiet = true;
  try {
    for (const service of ALL_SERVICES) {
      if (service === 'gateway') continue;
      await platform.setFaults(service, {}).catch(() => undefined);
    }
    await platform.paymentControls([]).catch(() => undefined);
  } finally {
    platform.quiet = false;
  }
}

/** Runs one scenario under load, audits the system, writes its report. */
export async function runScenario(
  scenario: Scenario,
  config: ChaosConfig,
): Promise<ScenarioOutcome> {
  const t0 = Date.now();
  const now = () => Date.now() - t0;
  const log = (message: string) =>
    process.stdout.write(`[chaos ${scenario.id} +${(now() / 1000).toFixed(1)} s] ${message}\n`);
  const platform = new Platform(now, log);
  await ensureHealthyPlatform(platform);
  const world = await createWorld(config, { anonymous, admin });
  const gateway = process.env['E2E_GATEWAY_URL']!;
  const driver = new LoadDriver(gateway, world, t0, hash(scenario.id));
  const productIds = world.products.map((p) => p.id);
  const sampler = new Sampler(platform, productIds, now);
  const notes: string[] = [];
  let faultStartedAt: number | undefined;
  let recoveredAt: number | undefined;
  const ctx: ScenarioContext = {
    config,
    platform,
    driver,
    sampler,
    world,
    now,
    notes,
    load: {
      orderRate: config.orderRate,
      viewRate: config.viewRate,
      healthyRate: config.healthyRate,
      maxInFlight: config.maxInFlight,
    },
    setLoad(changes) {
      ctx.load = { ...ctx.load, ...changes };
      driver.start(ctx.load);
    },
    faultStarted: () => (faultStartedAt ??= now()),
    recovered: () => (recoveredAt = now()),
    faultWindow: () => ({ start: faultStartedAt ?? now(), end: recoveredAt ?? now() }),
    orderScope: () => ({ customerIds: world.customers.map((c) => c.userId), since: t0 }),
  };

  const deadLettersBefore = await platform.deadLetterCounts();
  const redisUrl = (await platform.serviceEnv('notification'))['REDIS_URL']!;
  sampler.start();
  const reconciliation = { unknown: 0, created: 0, problems: [] as string[] };
  let settledAt: number | undefined;
  let snapshot: Snapshot | undefined;
  const invariants: InvariantResult[] = [];
  try {
    log(`load: ${config.orderRate} orders/s`);
    driver.start(ctx.load);
    await sleep(config.warmupMs);
    log('warm-up done: fault');
    await scenario.run(ctx);
    faultStartedAt ??= now();
    recoveredAt ??= now();
    log('recovered');
    await sleep(config.afterRecoveryMs);
    await driver.stop();
    log(`load stopped (${driver.records.length} requests): waiting for every order to be final`);
    const settled = await waitForSettled(
      platform,
      ctx.orderScope(),
      [...driver.acceptedOrderIds()],
      t0 + recoveredAt + config.settleMs,
    );
    settledAt = settled ? now() : undefined;
    log(settledAt === undefined ? 'orders NOT all final in time' : 'orders final');
    // Requests whose outcome the client never learnt: did they create an order after all?
    const unknown = driver.unresolvedKeys();
    const created = await createdOrders(platform, ctx.orderScope().customerIds, unknown);
    Object.assign(reconciliation, { unknown: unknown.length, created: created.size });
    reconciliation.problems.push(...(await driver.reconcile(created)));
    log(`${unknown.length} orders of unknown outcome, ${created.size} created and re-sent`);
    await waitForEvents(platform, 30_000, () => platform.resetKafka());
    log('auditing');
    snapshot = await collect(
      platform,
      { ...ctx.orderScope(), productIds, acceptedOrderIds: [...driver.acceptedOrderIds()] },
      deadLettersBefore,
      redisUrl,
    );
    invariants.push(
      ...evaluate({
        snapshot,
        historyReplayed: scenario.replaysHistory === true,
        initialStock: Object.fromEntries(world.products.map((p) => [p.id, p.initialStock])),
        acceptedOrderIds: driver.acceptedOrderIds(),
        records: driver.records,
        faultStartedAt,
        recoveredAt,
        settledAt,
        settleMs: config.settleMs,
        errorFreeAfterMs: config.errorFreeAfterMs,
        stockSamples: sampler.stock,
        reconciliationProblems: reconciliation.problems,
      }),
    );
    if (scenario.verify) invariants.push(...(await scenario.verify(ctx, snapshot)));
    log(`audit: ${invariants.filter((i) => !i.passed).length} invariant(s) broken`);
  } catch (error) {
    log(`failed: ${(error as Error).message}`);
    invariants.push({
      id: 'scenario-ran',
      title: 'the scenario ran to the end',
      passed: false,
      summary: (error as Error).message,
      violations: [(error as Error).stack ?? String(error)],
      violationCount: 1,
    });
  } finally {
    await driver.stop();
    await sampler.stop().catch(() => undefined);
    await scenario
      .cleanup?.(ctx)
      .catch((error: unknown) => notes.push(`cleanup: ${String(error)}`));
  }

  const errors = driver.records.filter((r) => r.kind !== 'reconcile' && isErrorRecord(r));
  const lastFailure = errors.reduce((max, r) => Math.max(max, r.sentAt), -Infinity);
  const requests = summariseRequests(driver.records);
  requests.reconciliation = {
    unknown: reconciliation.unknown,
    created: reconciliation.created,
    problems: reconciliation.problems.length,
  };
  const report: ScenarioReport = {
    scenario: scenario.id,
    title: scenario.title,
    mode: config.mode,
    passed: invariants.length > 0 && invariants.every((i) => i.passed),
    startedAt: new Date(t0).toISOString(),
    durationMs: now(),
    load: {
      orderRate: config.orderRate,
      viewRate: config.viewRate,
      healthyRate: config.healthyRate,
      customers: world.customers.length,
    },
    faultStartedAt: faultStartedAt ?? 0,
    recoveredAt: recoveredAt ?? 0,
    lastFailureAfterRecoveryMs:
      errors.length && recoveredAt !== undefined ? lastFailure - recoveredAt : null,
    settledAfterRecoveryMs:
      settledAt !== undefined && recoveredAt !== undefined ? settledAt - recoveredAt : null,
    requests,
    invariants,
    actions: platform.actions,
    breakers: sampler.breakers,
    stock: sampler.stock,
    notes,
  };
  const files = writeReport(report);
  log(`report: ${files.md}`);
  // Restart what the fault left stopped, clear faults; the next scenario waits for the backlog.
  await ensureHealthyPlatform(platform, false).catch((error: unknown) =>
    log(`platform not restored: ${String(error)}`),
  );
  await platform.close();
  return { report, files };
}

function hash(text: string): number {
  let h = 2_166_136_261;
  for (const char of text) h = Math.imul(h ^ char.charCodeAt(0), 16_777_619);
  return h >>> 0;
}
