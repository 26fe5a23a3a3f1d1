// `make bench`: the capacity benchmark of issue 11 — how much the platform carries on this box,
// beside baselines measured in the same run on the same machine.
//
// Open-model load (load.ts: requests start on schedule, latency from the scheduled start) against
// the test-profile platform (tracing at 100 %, as it starts), per path:
//   warm-up → ramp (offered rate × BENCH_FACTOR per step until p99 > bound or errors ≥ 0.1 %;
//   knee = highest passing step) → steady phase at 50 % of the knee, BENCH_REPEATS times (median).
// Paths: product view, order placement to CONFIRMED (latency from the scheduled start to the saga's
// last step, read from the order database: no polling load), order list. In each steady phase the
// CPU of every platform process group (/proc utime+stime), the generator's own CPU and the
// machine's are read; RSS per component at the end.
// Baselines: R1 bare node:http product view with the raw drivers (same generator, ramp + steady),
// R2 grpc-js unary echo between two processes, R4 kafkajs produce → consume ping on the platform's
// broker, R5 the saga's SQL in one process through raw pg in a scratch database.
// Event lag: outbox row → consumer's processed_events mark, from the databases' own timestamps.
//
// Numbers are reported, never asserted. Results: results/bench/capacity.{md,json}.
//   node tools/bench/capacity.ts   (make bench; BENCH_SMOKE=1 for a tiny run; BENCH_* below)
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { platform, type Platform, type Profile } from '../platform/index.ts';
import { expectStatus, requestJson } from '../platform/http.ts';
import { seedAt } from '../seed/seed.ts';
import { grpc, kafkajs, pg } from './baselines/drivers.ts';
import { adminHeaders, createStockedProduct, signedInCustomer } from './fixtures.ts';
import { ECHO_SERVICE } from './baselines/r2-grpc-echo.ts';
import { replayRate, type ReplayReport } from './replay.ts';
import { HttpClient, runClosedLoop, runOpenLoad, type OpenLoadResult } from './load.ts';
import {
  checkTopLevel,
  errorRate,
  kneeOf,
  median,
  percentilesOverTime,
  rampRates,
  summarize,
  TOP_LEVEL_KEYS,
  type KneeCriteria,
  type LatencySummary,
  type StepOutcome,
} from './open-model.ts';
import { diff, groupRssMiB, groupsCpuMs, machineBusyMs, pidCpuMs, selfCpuMs } from './procfs.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const SMOKE = process.env['BENCH_SMOKE'] === '1';

const num = (name: string, fallback: number, smoke: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : SMOKE ? smoke : fallback;
};
const settings = {
  smoke: SMOKE,
  profile: (process.env['BENCH_PROFILE'] ?? 'test') as Profile,
  /** The checkout whose platform to load (its run state and secrets): this one unless set. */
  platformRepo: path.resolve(ROOT, process.env['BENCH_PLATFORM_REPO'] ?? '.'),
  results: path.resolve(ROOT, process.env['BENCH_RESULTS'] ?? 'results/bench'),
  warmupS: num('BENCH_WARMUP_S', 10, 1),
  stepS: num('BENCH_STEP_S', 8, 2),
  orderStepS: num('BENCH_ORDER_STEP_S', 10, 2),
  rampSteps: num('BENCH_RAMP_STEPS', 10, 1),
  factor: num('BENCH_FACTOR', 1.5, 1.5),
  steadyS: num('BENCH_STEADY_S', 20, 2),
  repeats: num('BENCH_REPEATS', 3, 1),
  viewStart: num('BENCH_VIEW_START', 50, 5),
  orderStart: num('BENCH_ORDER_START', 4, 2),
  listStart: num('BENCH_LIST_START', 25, 5),
  r1Start: num('BENCH_R1_START', 250, 20),
  r1Factor: num('BENCH_R1_FACTOR', 2, 2),
  viewP99Ms: num('BENCH_VIEW_P99_MS', 250, 5000),
  orderP99Ms: num('BENCH_ORDER_P99_MS', 1000, 10000),
  listP99Ms: num('BENCH_LIST_P99_MS', 250, 5000),
  maxErrorRate: num('BENCH_MAX_ERROR_RATE', 0.001, 0.5),
  customers: num('BENCH_CUSTOMERS', 100, 4),
  products: num('BENCH_PRODUCTS', 20, 3),
  baselineS: num('BENCH_BASELINE_S', 5, 1),
  r5S: num('BENCH_R5_S', 10, 1),
  r5Concurrency: num('BENCH_R5_CONCURRENCY', 8, 2),
  pauseS: num('BENCH_PAUSE_S', 2, 0.5),
  idleS: num('BENCH_IDLE_S', 10, 1),
  replayGroup: process.env['BENCH_REPLAY_GROUP'] ?? 'shipping',
  replayBudgetS: num('BENCH_REPLAY_BUDGET_S', 90, 30),
};

const log = (line: string) => process.stderr.write(`[capacity] ${line}\n`);

// --- the world: products with stock and prices, customers logged in ------------------------------

interface Customer {
  headers: Record<string, string>;
}
interface World {
  gateway: HttpClient;
  customers: Customer[];
  /** Bench products (stocked, priced) for orders. */
  orderProducts: string[];
  /** Every product of the catalogue (seeded and bench ones), for views. */
  viewProducts: string[];
}

/** An address per simulated client (the test profile trusts X-Forwarded-For from loopback). */
const address = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

async function createWorld(p: Platform): Promise<World> {
  const base = p.connectionInfo().services['gateway']!.http;
  const api = `${base}/api/v1`;
  const asAdmin = await adminHeaders(api);
  const orderProducts: string[] = [];
  for (let i = 0; i < settings.products; i++) {
    orderProducts.push(await createStockedProduct(api, asAdmin, 'Capacity bench'));
  }
  const viewProducts: string[] = [];
  const page = expectStatus(
    await requestJson<{ items: { id: string }[] }>(`${api}/products?pageSize=100`),
    [200],
    'list products',
  );
  viewProducts.push(...page.items.map((item) => item.id));
  for (const id of orderProducts) if (!viewProducts.includes(id)) viewProducts.push(id);

  // Customers behind addresses of their own (10.1.x.y), each well under the per-user limit.
  const customers: Customer[] = [];
  for (let i = 0; i < settings.customers; i++) {
    const forwardedFor = address(65_536 + i);
    const token = await signedInCustomer(api, forwardedFor, `Capacity Customer ${i}`);
    customers.push({
      headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': forwardedFor },
    });
  }
  log(
    `${customers.length} customers, ${viewProducts.length} products (${orderProducts.length} for orders)`,
  );
  return { gateway: new HttpClient(base), customers, orderProducts, viewProducts };
}

// --- paths ------------------------------------------------------------------------------------------

type PathName = 'view' | 'order' | 'list' | 'r1';

/** A path: fires one request; `finish` turns a step's raw samples into outcomes (orders: sagas). */
interface LoadPath {
  name: PathName;
  criteria: KneeCriteria;
  stepS: number;
  fire(index: number): Promise<boolean>;
  /** Called after the step's load; resolves when its work is done (sagas over). */
  finish?(result: OpenLoadResult): Promise<void>;
}

const pick = <T>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)]!;

function viewPath(client: HttpClient, products: readonly string[], name: PathName): LoadPath {
  return {
    name,
    criteria: { p99BoundMs: settings.viewP99Ms, maxErrorRate: settings.maxErrorRate },
    stepS: settings.stepS,
    fire: async (i) => {
      const answer = await client.request('GET', `/api/v1/products/${pick(products)}`, {
        'x-forwarded-for': address(i % 60_000),
      });
      return answer.status === 200;
    },
  };
}

function listPath(world: World): LoadPath {
  return {
    name: 'list',
    criteria: { p99BoundMs: settings.listP99Ms, maxErrorRate: settings.maxErrorRate },
    stepS: settings.stepS,
    fire: async (i) => {
      const customer = world.customers[i % world.customers.length]!;
      const answer = await world.gateway.request(
        'GET',
        '/api/v1/orders?pageSize=5',
        customer.headers,
      );
      return answer.status === 200;
    },
  };
}

interface OrderDb {
  pool: import('pg').Pool;
}

/**
 * Orders to CONFIRMED. fire() is the POST; the latency of an order is from its scheduled start
 * to the saga's last step (order_steps.at of capture_payment, the database's clock — the same
 * machine's clock as ours), read after the step. A cancelled or unfinished order is an error.
 */
function orderPath(world: World, db: OrderDb): LoadPath & { sagas: SagaRecord[] } {
  let placed = new Map<number, string>();
  const sagas: SagaRecord[] = [];
  return {
    name: 'order',
    criteria: { p99BoundMs: settings.orderP99Ms, maxErrorRate: settings.maxErrorRate },
    stepS: settings.orderStepS,
    sagas,
    fire: async (i) => {
      const customer = world.customers[i % world.customers.length]!;
      const answer = await world.gateway.request(
        'POST',
        '/api/v1/orders',
        { ...customer.headers, 'idempotency-key': randomUUID() },
        { items: [{ productId: pick(world.orderProducts), quantity: 1 }], paymentMethod: 'card' },
      );
      if (answer.status !== 201) return false;
      placed.set(i, (JSON.parse(answer.body) as { id: string }).id);
      return true;
    },
    finish: async (result) => {
      const mine = placed;
      placed = new Map();
      const ended = await waitForSagas(db, [...mine.values()], 30_000);
      const epochStart = performance.timeOrigin + result.startedAt;
      // Each placed order's sample gets the saga's latency: scheduled start → last step.
      for (const sample of result.samples) {
        const orderId = mine.get(sample.index);
        if (orderId === undefined) continue; // the POST failed: already an error
        const end = ended.get(orderId);
        const scheduledEpochMs = epochStart + sample.atMs;
        const endedMs = end?.endedMs;
        const record: SagaRecord = {
          index: sample.index,
          orderId,
          status: end?.status ?? 'PENDING',
          scheduledEpochMs,
          completionMs: endedMs === undefined ? null : endedMs - scheduledEpochMs,
          serverSagaMs: endedMs === undefined || !end ? null : endedMs - end.createdMs,
        };
        sagas.push(record);
        const confirmed = record.status === 'CONFIRMED' || record.status === 'SHIPPED';
        sample.ok = confirmed && record.completionMs !== null;
        if (record.completionMs !== null) sample.latencyMs = record.completionMs;
      }
    },
  };
}

interface SagaRecord {
  index: number;
  orderId: string;
  status: string;
  scheduledEpochMs: number;
  completionMs: number | null;
  serverSagaMs: number | null;
}

/** Polls the order database until every order's saga is over (or the deadline). */
async function waitForSagas(
  db: OrderDb,
  ids: readonly string[],
  timeoutMs: number,
): Promise<Map<string, { status: string; createdMs: number; endedMs?: number }>> {
  const deadline = Date.now() + timeoutMs;
  const out = new Map<string, { status: string; createdMs: number; endedMs?: number }>();
  let open = [...ids];
  while (open.length > 0) {
    const { rows } = await db.pool.query<{
      id: string;
      status: string;
      saga_state: string;
      created_at: Date;
      ended: Date | null;
    }>(
      `SELECT o.id, o.status, o.saga_state, o.created_at,
              coalesce(max(s.at) FILTER (WHERE s.step = 'capture_payment' AND s.status = 'SUCCEEDED'),
                       CASE WHEN o.status = 'CANCELLED' THEN max(s.at) END) AS ended
         FROM orders o LEFT JOIN order_steps s ON s.order_id = o.id
        WHERE o.id = ANY($1::uuid[]) GROUP BY o.id`,
      [open],
    );
    for (const row of rows) {
      if (row.status === 'PENDING') continue;
      out.set(row.id, {
        status: row.status,
        createdMs: row.created_at.getTime(),
        ...(row.ended ? { endedMs: row.ended.getTime() } : {}),
      });
    }
    open = open.filter((id) => !out.has(id));
    if (open.length === 0 || Date.now() > deadline) break;
    await sleep(250);
  }
  for (const id of open) out.set(id, { status: 'PENDING', createdMs: 0 });
  return out;
}

// --- running a path: ramp, knee, steady ---------------------------------------------------------------

interface CpuWindow {
  /** ms of CPU per component group over the window. */
  components: Record<string, number>;
  generatorMs: number;
  machineMs: number;
  wallMs: number;
}

interface StepReport extends StepOutcome {
  achievedRps: number;
  errorRate: number;
  latency: LatencySummary;
}

interface SteadyReport extends StepReport {
  cpu: CpuWindow;
  /** CPU ms per successful request, summed over every platform process. */
  cpuMsPerRequest: number;
  /** The same, less what each component burns idle over the phase's length (measured before). */
  netOfIdleMsPerRequest: number;
  /** Machine CPU minus the generator's, per successful request (includes other tenants). */
  machineMinusGeneratorMsPerRequest: number;
  generatorMsPerRequest: number;
  overTime: ReturnType<typeof percentilesOverTime>;
}

interface PathReport {
  name: PathName;
  criteria: KneeCriteria;
  ramp: StepReport[];
  knee: StepReport | null;
  kneeReason?: string;
  steadyRate: number;
  steady: SteadyReport[];
  /** Medians over the steady repeats. */
  median: {
    achievedRps: number | null;
    p50Ms: number | null;
    p99Ms: number | null;
    cpuMsPerRequest: number | null;
    netOfIdleMsPerRequest: number | null;
    generatorMsPerRequest: number | null;
    errorRate: number | null;
  };
}

type Groups = Map<string, number | null>;

/** CPU ms per second each component uses with no load (measured once, before the paths). */
const idleMsPerSecond: Record<string, number> = {};

async function measureIdle(groups: Groups, seconds: number): Promise<void> {
  const before = groupsCpuMs(groups);
  const started = performance.now();
  await sleep(seconds * 1000);
  const used = diff(groupsCpuMs(groups), before);
  const elapsedS = (performance.now() - started) / 1000;
  for (const [name, ms] of Object.entries(used)) idleMsPerSecond[name] = ms / elapsedS;
  const total = Object.values(idleMsPerSecond).reduce((a, b) => a + b, 0);
  log(`idle platform: ${(total / 10).toFixed(1)} % of one core`);
}

function stepReport(result: OpenLoadResult): StepReport {
  const latencies = result.samples.map((s) => s.latencyMs);
  const errors = result.samples.filter((s) => !s.ok).length;
  const ok = result.samples.length - errors;
  const step: StepOutcome = {
    rate: result.rate,
    scheduled: result.samples.length,
    errors,
    p99Ms: summarize(latencies).p99,
  };
  return {
    ...step,
    achievedRps: ok / (result.durationMs / 1000),
    errorRate: errorRate(step),
    latency: summarize(latencies),
  };
}

async function runStep(path: LoadPath, rate: number, seconds: number): Promise<OpenLoadResult> {
  const result = await runOpenLoad({
    rate,
    durationMs: seconds * 1000,
    maxInFlight: 4096,
    fire: path.fire,
  });
  if (path.finish) await path.finish(result);
  return result;
}

async function runPath(
  path: LoadPath,
  start: number,
  factor: number,
  groups: () => Groups,
): Promise<PathReport> {
  log(`${path.name}: warm-up ${settings.warmupS} s at ${start}/s`);
  await runStep(path, start, settings.warmupS);
  await sleep(settings.pauseS * 1000);
  const ramp: StepReport[] = [];
  for (const rate of rampRates(start, factor, settings.rampSteps)) {
    const step = stepReport(await runStep(path, rate, path.stepS));
    ramp.push(step);
    log(
      `${path.name}: ${rate}/s → ${step.achievedRps.toFixed(1)}/s ok, p50 ${step.latency.p50.toFixed(0)} ms, ` +
        `p99 ${step.latency.p99.toFixed(0)} ms, errors ${(step.errorRate * 100).toFixed(2)} %`,
    );
    await sleep(settings.pauseS * 1000);
    if (!kneeOf([step], path.criteria)) break;
  }
  const knee = kneeOf(ramp, path.criteria);
  const kneeStep = knee && ramp.find((s) => s.rate === knee.rate)!;
  const steadyRate = Math.max(1, (kneeStep?.rate ?? start) / 2);
  const steady: SteadyReport[] = [];
  for (let r = 0; r < settings.repeats; r++) {
    const g = groups();
    const before = groupsCpuMs(g);
    const generatorBefore = selfCpuMs();
    const machineBefore = machineBusyMs();
    const started = performance.now();
    const result = await runStep(path, steadyRate, settings.steadyS);
    const cpu: CpuWindow = {
      components: diff(groupsCpuMs(g), before),
      generatorMs: selfCpuMs() - generatorBefore,
      machineMs: machineBusyMs() - machineBefore,
      wallMs: performance.now() - started,
    };
    const step = stepReport(result);
    const ok = Math.max(1, step.scheduled - step.errors);
    const platformMs = Object.values(cpu.components).reduce((a, b) => a + b, 0);
    steady.push({
      ...step,
      cpu,
      cpuMsPerRequest: platformMs / ok,
      netOfIdleMsPerRequest:
        Object.entries(cpu.components).reduce(
          (sum, [name, ms]) => sum + ms - (idleMsPerSecond[name] ?? 0) * (cpu.wallMs / 1000),
          0,
        ) / ok,
      generatorMsPerRequest: cpu.generatorMs / ok,
      machineMinusGeneratorMsPerRequest: (cpu.machineMs - cpu.generatorMs) / ok,
      overTime: percentilesOverTime(
        result.samples.map((s) => [s.atMs, s.latencyMs] as const),
        1000,
      ),
    });
    log(
      `${path.name} steady ${r + 1}/${settings.repeats} at ${steadyRate}/s: ${step.achievedRps.toFixed(1)}/s, ` +
        `p99 ${step.latency.p99.toFixed(0)} ms, ${(platformMs / ok).toFixed(2)} ms CPU per request`,
    );
    await sleep(settings.pauseS * 1000);
  }
  const med = (pickValue: (s: SteadyReport) => number) => median(steady.map(pickValue));
  return {
    name: path.name,
    criteria: path.criteria,
    ramp,
    knee: kneeStep,
    ...(kneeStep
      ? {}
      : {
          kneeReason: `the first step (${start}/s) already failed the bound; steady at half of it`,
        }),
    steadyRate,
    steady,
    median: {
      achievedRps: med((s) => s.achievedRps),
      p50Ms: med((s) => s.latency.p50),
      p99Ms: med((s) => s.latency.p99),
      cpuMsPerRequest: med((s) => s.cpuMsPerRequest),
      netOfIdleMsPerRequest: med((s) => s.netOfIdleMsPerRequest),
      generatorMsPerRequest: med((s) => s.generatorMsPerRequest),
      errorRate: med((s) => s.errorRate),
    },
  };
}

// --- baselines ----------------------------------------------------------------------------------------

/** Starts a baseline script as a child process; resolves with its first JSON line. */
async function startChild(
  script: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; first: Record<string, unknown>; lines: AsyncIterator<string> }> {
  const child = spawn(process.execPath, [path.join(HERE, 'baselines', script)], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
    // Its own process group, so its CPU is read like a platform component's; it exits when its
    // stdin closes (this process gone).
    detached: true,
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const first = await Promise.race([
    lines.next(),
    new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`${script} exited ${code}`))),
    ),
  ]);
  if (first.done) throw new Error(`${script} printed nothing`);
  return { child, first: JSON.parse(first.value) as Record<string, unknown>, lines };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))]);
}

async function baselineR1(p: Platform): Promise<PathReport & { serverPid: number | null }> {
  const env = {
    R1_MONGO_URL: p.serviceEnv('product')['MONGODB_URL']!,
    R1_PRICING_URL: p.connectionInfo().postgres.databases['pricing']!.url,
    R1_INVENTORY_URL: p.connectionInfo().postgres.databases['inventory']!.url,
  };
  const { child, first } = await startChild('r1-view-server.ts', env);
  const client = new HttpClient(`http://127.0.0.1:${String(first['port'])}`);
  try {
    const products = await catalogueIds(p);
    const groups = (): Groups =>
      new Map([
        ['r1-server', child.pid ?? null],
        ['ferretdb', p.pidOf('ferretdb')],
        ['postgres', p.pidOf('postgres')],
      ]);
    const report = await runPath(
      viewPath(client, products, 'r1'),
      settings.r1Start,
      settings.r1Factor,
      groups,
    );
    return { ...report, serverPid: child.pid ?? null };
  } finally {
    client.close();
    await stopChild(child);
  }
}

async function catalogueIds(p: Platform): Promise<string[]> {
  const base = p.connectionInfo().services['gateway']!.http;
  const page = expectStatus(
    await requestJson<{ items: { id: string }[] }>(`${base}/api/v1/products?pageSize=100`),
    [200],
    'list products',
  );
  return page.items.map((item) => item.id);
}

interface R2Report {
  calls: number;
  callsPerSecond: number;
  clientUsPerCall: number;
  serverUsPerCall: number;
  latency: LatencySummary;
}

async function baselineR2(): Promise<R2Report> {
  const g = grpc();
  const { child, first } = await startChild('r2-grpc-echo.ts', {});
  const Client = g.makeGenericClientConstructor(ECHO_SERVICE, 'Echo');
  const client = new Client(
    `127.0.0.1:${String(first['port'])}`,
    g.credentials.createInsecure(),
  ) as unknown as {
    echo(request: Buffer, callback: (error: Error | null, value?: Buffer) => void): void;
    close(): void;
  };
  const payload = Buffer.from(JSON.stringify({ productIds: [randomUUID()] }));
  const call = () =>
    new Promise<number>((resolve, reject) => {
      const t0 = performance.now();
      client.echo(payload, (error) => (error ? reject(error) : resolve(performance.now() - t0)));
    });
  try {
    await runClosedLoop(8, 1000, call); // warm-up
    const serverBefore = pidCpuMs(child.pid!);
    const selfBefore = selfCpuMs();
    const run = await runClosedLoop(8, settings.baselineS * 1000, call);
    const calls = run.latencyMs.length;
    return {
      calls,
      callsPerSecond: calls / (run.wallMs / 1000),
      clientUsPerCall: ((selfCpuMs() - selfBefore) * 1000) / calls,
      serverUsPerCall: ((pidCpuMs(child.pid!) - serverBefore) * 1000) / calls,
      latency: summarize(run.latencyMs),
    };
  } finally {
    client.close();
    await stopChild(child);
  }
}

interface R4Report {
  pings: number;
  latency: LatencySummary;
}

/** kafkajs produce → consume on the platform's broker: one ping at a time, own topic, dropped after. */
async function baselineR4(p: Platform): Promise<R4Report> {
  const { Kafka, logLevel } = kafkajs();
  const kafka = new Kafka({
    clientId: 'bench-r4',
    brokers: p.connectionInfo().kafka.brokers,
    logLevel: logLevel.NOTHING,
  });
  const topic = `bench.r4-ping.${randomUUID().slice(0, 8)}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `${topic}.group`, maxWaitTimeInMs: 100 });
  const waiting = new Map<string, (at: number) => void>();
  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const id = message.value?.toString() ?? '';
        waiting.get(id)?.(performance.now());
      },
    });
    const ping = async (): Promise<number> => {
      const id = randomUUID();
      const arrived = new Promise<number>((resolve) => waiting.set(id, resolve));
      const t0 = performance.now();
      await producer.send({ topic, messages: [{ value: id }] });
      const at = await Promise.race([arrived, sleep(10_000).then(() => Number.NaN)]);
      waiting.delete(id);
      return at - t0;
    };
    // Until the group has joined and the first ping arrives.
    const deadline = Date.now() + 30_000;
    while (!Number.isFinite(await ping()) && Date.now() < deadline);
    for (let i = 0; i < 20; i++) await ping();
    const latencies: number[] = [];
    const started = performance.now();
    while (performance.now() - started < settings.baselineS * 1000) {
      const ms = await ping();
      if (Number.isFinite(ms)) latencies.push(ms);
    }
    return { pings: latencies.length, latency: summarize(latencies) };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.deleteGroups([`${topic}.group`]).catch(() => undefined);
    await admin.disconnect();
  }
}

interface R5Report {
  orders: number;
  failed: number;
  ordersPerSecond: number;
  cpuMsPerOrder: number;
  processMsPerOrder: number;
  postgresMsPerOrder: number;
  latency: LatencySummary;
  concurrency: number;
}

/** The saga's SQL in one process (baselines/r5-monolith.ts), in a scratch database dropped after. */
async function baselineR5(p: Platform): Promise<R5Report> {
  const { Client } = pg();
  const superuser = p.connectionInfo().postgres.superuser.url;
  const database = `bench_r5_${process.pid}`;
  const admin = new Client({ connectionString: superuser });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${database}`);
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(superuser);
  url.pathname = `/${database}`;
  try {
    const { child, lines } = await startChild('r5-monolith.ts', {
      R5_URL: url.toString(),
      R5_CONCURRENCY: String(settings.r5Concurrency),
    });
    try {
      const postgresPid = p.pidOf('postgres');
      const before = {
        child: pidCpuMs(child.pid!),
        pg: postgresPid ? groupsCpuMs(new Map([['pg', postgresPid]])).get('pg')! : 0,
      };
      child.stdin!.write(`go ${settings.r5S * 1000}\n`);
      const line = await lines.next();
      if (line.done) throw new Error('r5-monolith ended without a result');
      const result = JSON.parse(line.value) as {
        orders: number;
        failed: number;
        wallMs: number;
        latencyMs: number[];
      };
      const childMs = pidCpuMs(child.pid!) - before.child;
      const pgMs =
        (postgresPid ? groupsCpuMs(new Map([['pg', postgresPid]])).get('pg')! : 0) - before.pg;
      const orders = Math.max(1, result.orders);
      return {
        orders: result.orders,
        failed: result.failed,
        ordersPerSecond: result.orders / (result.wallMs / 1000),
        cpuMsPerOrder: (childMs + pgMs) / orders,
        processMsPerOrder: childMs / orders,
        postgresMsPerOrder: pgMs / orders,
        latency: summarize(result.latencyMs),
        concurrency: settings.r5Concurrency,
      };
    } finally {
      await stopChild(child);
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

// --- event lag ----------------------------------------------------------------------------------------

interface EventLag {
  pairs: number;
  latency: LatencySummary;
  byConsumer: Record<string, LatencySummary>;
}

/**
 * Lag from an event's outbox row to each PostgreSQL consumer's processed_events mark, over a time
 * window: outbox_events.created_at is the producing transaction's now() (its start: a little
 * before the commit), processed_events.processed_at the consuming transaction's now() (the
 * handler's first statement). Same PostgreSQL server, same clock. Consumers without a processed
 * mark in PostgreSQL (notification: Redis) are not in it.
 */
async function eventLag(p: Platform, fromEpochMs: number, toEpochMs: number): Promise<EventLag> {
  const { Client } = pg();
  const outbox = new Map<string, { topic: string; createdMs: number }>();
  const marks: { consumer: string; eventId: string; processedMs: number }[] = [];
  for (const [service, db] of Object.entries(p.connectionInfo().postgres.databases)) {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const from = new Date(fromEpochMs);
      const to = new Date(toEpochMs);
      const produced = await client.query<{ id: string; topic: string; created_at: Date }>(
        'SELECT id, topic, created_at FROM outbox_events WHERE created_at BETWEEN $1 AND $2',
        [from, to],
      );
      for (const row of produced.rows)
        outbox.set(row.id, { topic: row.topic, createdMs: row.created_at.getTime() });
      const consumed = await client.query<{
        consumer: string;
        event_id: string;
        processed_at: Date;
      }>('SELECT consumer, event_id, processed_at FROM processed_events WHERE processed_at >= $1', [
        from,
      ]);
      for (const row of consumed.rows) {
        marks.push({
          consumer: row.consumer,
          eventId: row.event_id,
          processedMs: row.processed_at.getTime(),
        });
      }
    } catch (error) {
      log(`event lag: ${service}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await client.end();
    }
  }
  const all: number[] = [];
  const byConsumer = new Map<string, number[]>();
  for (const mark of marks) {
    const event = outbox.get(mark.eventId);
    if (!event) continue;
    const lag = mark.processedMs - event.createdMs;
    all.push(lag);
    const key = `${mark.consumer} ← ${event.topic}`;
    byConsumer.set(key, [...(byConsumer.get(key) ?? []), lag]);
  }
  return {
    pairs: all.length,
    latency: summarize(all),
    byConsumer: Object.fromEntries([...byConsumer].map(([k, v]) => [k, summarize(v)])),
  };
}

// --- report ---------------------------------------------------------------------------------------

const round = (value: number | null | undefined, digits = 1): number | null =>
  value === null || value === undefined || !Number.isFinite(value)
    ? null
    : Number(value.toFixed(digits));

function shares(report: PathReport): Record<string, number> {
  const total: Record<string, number> = {};
  let ok = 0;
  for (const s of report.steady) {
    ok += s.scheduled - s.errors;
    for (const [name, ms] of Object.entries(s.cpu.components))
      total[name] = (total[name] ?? 0) + ms;
  }
  return Object.fromEntries(
    Object.entries(total)
      .filter(([, ms]) => ms > 0)
      .sort(([, a], [, b]) => b - a)
      .map(([name, ms]) => [name, ms / Math.max(1, ok)]),
  );
}

interface Report {
  startedAt: string;
  machine: { cpus: number; loadAverage: string };
  settings: typeof settings;
  tracing: string;
  productView: Record<string, unknown>;
  order: Record<string, unknown>;
  events: Record<string, unknown>;
  services: Record<string, unknown>;
  orderList: Record<string, unknown>;
  baselines: Record<string, unknown>;
  paths: Record<string, PathReport>;
  durationS: number;
}

function orNull<T extends Record<string, unknown>>(
  key: string,
  value: number | null,
  reason: string,
): T {
  return (value === null ? { [key]: null, [`${key}Reason`]: reason } : { [key]: value }) as T;
}

function markdown(r: Report, paths: Record<string, PathReport>): string {
  const f = (v: unknown, d = 1) => (typeof v === 'number' ? v.toFixed(d) : '–');
  const pv = r.productView;
  const o = r.order;
  const b = r.baselines as {
    r1: PathReport | null;
    r2: R2Report | null;
    r4: R4Report | null;
    r5: R5Report | null;
    errors: Record<string, string>;
  };
  const lines: string[] = [
    '# Capacity benchmark (`make bench`, issue 11)',
    '',
    `${r.startedAt}, ${r.machine.cpus} CPUs, load average at start ${r.machine.loadAverage}, ` +
      `${r.durationS.toFixed(0)} s in all${r.settings.smoke ? ' — **SMOKE RUN: tiny load, numbers mean nothing**' : ''}. ` +
      `Tracing: ${r.tracing}. Open-model load from one Node process on the same machine; latency ` +
      "from each request's scheduled start. Knee: the highest ramp step with p99 under the bound and " +
      `under ${(r.settings.maxErrorRate * 100).toFixed(1)} % errors; steady: ${r.settings.repeats} × ` +
      `${r.settings.steadyS} s at half the knee, medians.`,
    '',
    '## Platform vs baselines',
    '',
    '| measure | platform | baseline | platform ÷ baseline |',
    '|---|---|---|---|',
    `| product view, knee throughput (req/s) | ${f(pv['rps'])} | R1 ${f(pv['r1Rps'])} | ${f(pv['rpsRatioToR1'], 3)} |`,
    `| product view p99 at half the knee (ms) | ${f(pv['steadyP99Ms'])} | R1 ${f(pv['r1SteadyP99Ms'])} | ${f(pv['p99RatioToR1'], 2)} |`,
    `| product view CPU per request, all processes (ms) | ${f(pv['cpuMsPerView'], 2)} | R1 ${f(pv['r1CpuMsPerView'], 2)} | ${f(pv['cpuRatioToR1'], 1)} |`,
    `| orders reaching CONFIRMED per second (knee) | ${f(o['perSecond'])} | R5 ${f(o['r5PerSecond'])} | ${f(o['perSecondRatioToR5'], 3)} |`,
    `| CPU per order, all processes (ms) | ${f(o['cpuMsPerOrder'], 1)} | R5 ${f(o['r5CpuMsPerOrder'], 2)} | ${f(o['cpuRatioToR5'], 1)} |`,
    `| saga completion p50 / p99 at half the knee (ms) | ${f(o['sagaP50Ms'], 0)} / ${f(o['sagaP99Ms'], 0)} | R5 ${f(b.r5?.latency.p50, 1)} / ${f(b.r5?.latency.p99, 1)} | |`,
    `| event lag outbox → consumer p50 / p99 (ms) | ${f(r.events['lagP50Ms'], 0)} / ${f(r.events['lagP99Ms'], 0)} | R4 ${f(b.r4?.latency.p50, 2)} / ${f(b.r4?.latency.p99, 2)} | |`,
    `| replay of a rewound consumer group (events/s) | ${f(r.events['replayPerSecond'], 0)} (${String((r.events['replay'] as ReplayReport | null)?.group ?? '–')}, ${String((r.events['replay'] as ReplayReport | null)?.records ?? '–')} records) | – | |`,
    `| one gRPC hop, CPU per call (µs, client + server) | – | R2 ${f(b.r2?.clientUsPerCall, 0)} + ${f(b.r2?.serverUsPerCall, 0)} | |`,
    '',
    'R1: bare node:http, mongodb driver → FerretDB, pg → the pricing and inventory tables, same generator. ' +
      `R2: grpc-js unary echo, ${b.r2 ? `${b.r2.callsPerSecond.toFixed(0)} calls/s at 8 in flight, p50 ${b.r2.latency.p50.toFixed(2)} ms` : 'not run'}. ` +
      "R4: kafkajs, one ping at a time, own topic on the platform's broker. " +
      `R5: the saga's SQL (3 transactions: place + reserve, authorize, commit + capture + confirm) through raw pg, ${r.settings.r5Concurrency} connections, closed loop.`,
    ...Object.entries(b.errors).map(([k, v]) => `- baseline ${k} failed: ${v}`),
    '',
    '## Knee and steady phase per path',
    '',
    '| path | bound p99 | knee (offered/s) | achieved at knee | steady offered | steady achieved | p50 | p99 | errors | CPU/request (platform) | net of idle | generator CPU/request |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const report of Object.values(paths)) {
    lines.push(
      `| ${report.name} | ${report.criteria.p99BoundMs} ms | ${report.knee ? report.knee.rate : `none (${report.kneeReason ?? ''})`} | ${f(report.knee?.achievedRps)} | ${report.steadyRate} | ${f(report.median.achievedRps)} | ${f(report.median.p50Ms, 0)} ms | ${f(report.median.p99Ms, 0)} ms | ${f((report.median.errorRate ?? 0) * 100, 2)} % | ${f(report.median.cpuMsPerRequest, 2)} ms | ${f(report.median.netOfIdleMsPerRequest, 2)} ms | ${f(report.median.generatorMsPerRequest, 3)} ms |`,
    );
  }
  lines.push('', '## Ramps', '');
  for (const report of Object.values(paths)) {
    lines.push(
      `### ${report.name}`,
      '',
      '| offered/s | achieved/s | p50 | p90 | p99 | max | errors |',
      '|---|---|---|---|---|---|---|',
    );
    for (const s of report.ramp) {
      lines.push(
        `| ${s.rate} | ${s.achievedRps.toFixed(1)} | ${s.latency.p50.toFixed(0)} | ${s.latency.p90.toFixed(0)} | ${s.latency.p99.toFixed(0)} | ${s.latency.max.toFixed(0)} | ${(s.errorRate * 100).toFixed(2)} % |`,
      );
    }
    lines.push('');
  }
  lines.push(
    '## CPU per request by process (steady phases, ms)',
    '',
    "Each platform component is its process group and process tree (/proc utime+stime, reaped children included, over the steady phases, summed, divided by the successful requests). The generator's own CPU is not in the platform sum.",
    '',
    `Idle (${r.settings.idleS} s without load, before the paths), the platform used ${f((r.services['idleCoreShare'] as number) * 100)} % of one core; "net of idle" subtracts each component's idle rate over the phase's length.`,
    '',
  );
  for (const report of Object.values(paths)) {
    const s = shares(report);
    const total = Object.values(s).reduce((a, v) => a + v, 0);
    lines.push(
      `- **${report.name}** (${total.toFixed(2)} ms): ` +
        Object.entries(s)
          .map(([name, ms]) => `${name} ${ms.toFixed(2)} (${((ms / total) * 100).toFixed(0)} %)`)
          .join(', '),
    );
  }
  const rss = r.services['rssMiB'] as Record<string, number>;
  lines.push(
    '',
    '## Resident memory at the end (MiB)',
    '',
    '| component | RSS |',
    '|---|---|',
    ...Object.entries(rss).map(([name, mib]) => `| ${name} | ${mib.toFixed(0)} |`),
    '',
    `Largest service: ${f(r.services['maxRssMiB'], 0)} MiB (${String(r.services['maxRssService'] ?? '–')}).`,
    '',
    '## Event lag by consumer (outbox row → processed mark, ms)',
    '',
    '| consumer ← topic | count | p50 | p99 |',
    '|---|---|---|---|',
    ...Object.entries((r.events['byConsumer'] ?? {}) as Record<string, LatencySummary>).map(
      ([k, v]) => `| ${k} | ${v.count} | ${v.p50.toFixed(0)} | ${v.p99.toFixed(0)} |`,
    ),
    '',
    `Not measured: ${
      ['productView', 'order', 'events', 'services']
        .flatMap((group) =>
          Object.entries((r as unknown as Record<string, Record<string, unknown>>)[group]!)
            .filter(([k]) => k.endsWith('Reason'))
            .map(([k, v]) => `${group}.${k.replace(/Reason$/, '')} (${String(v)})`),
        )
        .join('; ') || 'nothing'
    }.`,
    '',
  );
  return lines.join('\n');
}

// --- main ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const loadAverage = loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');
  const p = platform(settings.profile, {
    repo: settings.platformRepo,
    log: (line) => log(line.trim()),
  });
  const wasUp = (await p.status()).some((row) => row.state === 'running');
  await p.up();
  try {
    await measure(p, t0, startedAt, loadAverage);
  } finally {
    // Leave the platform as it was found: down if the benchmark started it.
    if (!wasUp) await p.down();
  }
}

async function measure(
  p: Platform,
  t0: number,
  startedAt: string,
  loadAverage: string,
): Promise<void> {
  const info = p.connectionInfo();
  await seedAt(info.services['gateway']!.http, info.services['user']!.grpc!);
  const world = await createWorld(p);
  const groups = (): Groups => new Map(p.componentNames().map((name) => [name, p.pidOf(name)]));
  const { Pool } = pg();
  const orderDb: OrderDb = {
    pool: new Pool({
      connectionString: p.connectionInfo().postgres.databases['order']!.url,
      max: 2,
    }),
  };

  await measureIdle(groups(), settings.idleS);
  const paths: Record<string, PathReport> = {};
  const baselineErrors: Record<string, string> = {};
  let lag: EventLag | null = null;
  try {
    paths['view'] = await runPath(
      viewPath(world.gateway, world.viewProducts, 'view'),
      settings.viewStart,
      settings.factor,
      groups,
    );
    const orders = orderPath(world, orderDb);
    const steadyFrom = { ms: 0 };
    paths['order'] = await runPath(orders, settings.orderStart, settings.factor, groups);
    const steadySagas = orders.sagas.slice(
      -Math.round(paths['order'].steadyRate * settings.steadyS * settings.repeats),
    );
    steadyFrom.ms = Math.min(...steadySagas.map((s) => s.scheduledEpochMs));
    lag = await eventLag(p, steadyFrom.ms, Date.now()).catch((error: unknown) => {
      baselineErrors['event lag'] = String(error);
      return null;
    });
    paths['list'] = await runPath(listPath(world), settings.listStart, settings.factor, groups);
  } finally {
    world.gateway.close();
  }
  const run = async <T>(name: string, fn: () => Promise<T>): Promise<T | null> => {
    log(`baseline ${name}`);
    try {
      return await fn();
    } catch (error) {
      baselineErrors[name] = error instanceof Error ? error.message : String(error);
      log(`baseline ${name} failed: ${baselineErrors[name]}`);
      return null;
    }
  };
  const r1 = await run('R1', () => baselineR1(p));
  if (r1) paths['r1'] = r1;
  const r2 = await run('R2', () => baselineR2());
  const r4 = await run('R4', () => baselineR4(p));
  const r5 = await run('R5', () => baselineR5(p));
  const replay: ReplayReport | null = await run('replay', () =>
    replayRate(p, ROOT, settings.replayGroup, settings.replayBudgetS * 1000, log),
  );

  const rssMiB: Record<string, number> = {};
  for (const name of p.componentNames()) {
    const pid = p.pidOf(name);
    if (pid !== null) rssMiB[name] = groupRssMiB(pid);
  }
  await orderDb.pool.end();

  const view = paths['view']!;
  const order = paths['order']!;
  const ratio = (a: number | null | undefined, b: number | null | undefined) =>
    a === null || a === undefined || !b ? null : a / b;
  const serviceNames = new Set(
    world.customers.length
      ? p
          .componentNames()
          .filter(
            (n) =>
              ![
                'postgres',
                'kafka',
                'ferretdb',
                'redis',
                'jaeger',
                'prometheus',
                'zipkin',
              ].includes(n),
          )
      : [],
  );
  const serviceRss = Object.entries(rssMiB).filter(([name]) => serviceNames.has(name));
  const maxService = serviceRss.sort(([, a], [, b]) => b - a)[0];
  const sagaP50 = median(order.steady.map((s) => s.latency.p50));
  const report: Report = {
    startedAt,
    machine: { cpus: cpus().length, loadAverage },
    settings,
    tracing:
      process.env['OTEL_SDK_DISABLED'] === 'true'
        ? 'off'
        : "on, every request sampled (the test profile's default)",
    productView: {
      ...orNull('rps', round(view.knee?.achievedRps ?? null), view.kneeReason ?? 'no knee'),
      ...orNull(
        'r1Rps',
        round(r1?.knee?.achievedRps ?? null),
        baselineErrors['R1'] ?? r1?.kneeReason ?? 'no knee',
      ),
      rpsRatioToR1: round(ratio(view.knee?.achievedRps, r1?.knee?.achievedRps), 4),
      steadyRps: round(view.median.achievedRps),
      steadyP50Ms: round(view.median.p50Ms),
      steadyP99Ms: round(view.median.p99Ms),
      r1SteadyP99Ms: round(r1?.median.p99Ms),
      p99RatioToR1: round(ratio(view.median.p99Ms, r1?.median.p99Ms), 2),
      cpuMsPerView: round(view.median.cpuMsPerRequest, 3),
      cpuMsPerViewNetOfIdle: round(view.median.netOfIdleMsPerRequest, 3),
      r1CpuMsPerView: round(r1?.median.cpuMsPerRequest, 3),
      cpuRatioToR1: round(ratio(view.median.cpuMsPerRequest, r1?.median.cpuMsPerRequest), 2),
      generatorCpuMsPerView: round(view.median.generatorMsPerRequest, 3),
    },
    order: {
      ...orNull('perSecond', round(order.knee?.achievedRps ?? null), order.kneeReason ?? 'no knee'),
      ...orNull(
        'r5PerSecond',
        round(r5?.ordersPerSecond ?? null),
        baselineErrors['R5'] ?? 'not run',
      ),
      perSecondRatioToR5: round(ratio(order.knee?.achievedRps, r5?.ordersPerSecond), 4),
      ...orNull('cpuMsPerOrder', round(order.median.cpuMsPerRequest, 2), 'no steady phase'),
      cpuMsPerOrderNetOfIdle: round(order.median.netOfIdleMsPerRequest, 2),
      r5CpuMsPerOrder: round(r5?.cpuMsPerOrder, 3),
      cpuRatioToR5: round(ratio(order.median.cpuMsPerRequest, r5?.cpuMsPerOrder), 2),
      ...orNull('sagaP99Ms', round(order.median.p99Ms), 'no steady phase'),
      sagaP50Ms: round(sagaP50),
      steadyPerSecond: round(order.median.achievedRps),
      generatorCpuMsPerOrder: round(order.median.generatorMsPerRequest, 3),
      sagaMeasuredAs:
        'scheduled start of the POST → order_steps.at of capture_payment (the database clock)',
    },
    events: {
      ...orNull(
        'lagP99Ms',
        round(lag && lag.pairs ? lag.latency.p99 : null),
        baselineErrors['event lag'] ?? 'no consumed events in the window',
      ),
      lagP50Ms: round(lag?.latency.p50),
      lagPairs: lag?.pairs ?? 0,
      lagMeasuredAs:
        'outbox_events.created_at (producing transaction start) → processed_events.processed_at (consuming transaction start), order steady phases, PostgreSQL consumers',
      byConsumer: lag?.byConsumer ?? {},
      ...orNull(
        'replayPerSecond',
        round(replay?.eventsPerSecond ?? null),
        baselineErrors['replay'] ?? 'not run',
      ),
      replay,
    },
    services: {
      idleCoreShare: round(Object.values(idleMsPerSecond).reduce((a, b) => a + b, 0) / 1000, 3),
      ...orNull('maxRssMiB', round(maxService?.[1] ?? null), 'no service running'),
      maxRssService: maxService?.[0] ?? null,
      rssMiB: Object.fromEntries(Object.entries(rssMiB).map(([k, v]) => [k, round(v)!])),
    },
    orderList: {
      rps: round(paths['list']?.knee?.achievedRps ?? null),
      steadyP99Ms: round(paths['list']?.median.p99Ms),
      cpuMsPerList: round(paths['list']?.median.cpuMsPerRequest, 3),
    },
    baselines: {
      r1: r1 ? { knee: r1.knee, median: r1.median } : null,
      r2,
      r4,
      r5,
      errors: baselineErrors,
    },
    paths,
    durationS: (performance.now() - t0) / 1000,
  };
  const problems = checkTopLevel(report as unknown as Record<string, unknown>, TOP_LEVEL_KEYS);
  if (problems.length) throw new Error(`capacity.json would be incomplete: ${problems.join('; ')}`);
  mkdirSync(settings.results, { recursive: true });
  writeFileSync(
    path.join(settings.results, 'capacity.json'),
    `${JSON.stringify(report, null, 2)}\n`,
  );
  const text = markdown(report, paths);
  writeFileSync(path.join(settings.results, 'capacity.md'), text);
  process.stdout.write(
    `${text}\nresults: ${path.relative(ROOT, settings.results)}/capacity.{md,json}\n`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `capacity: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
