// `make bench`: what tracing and metrics cost, measured as ratios within one run on one machine.
//
// The same closed-loop load (each iteration: place an order, view a product, list own orders)
// runs against the platform with tracing on (the default: every request sampled and exported to
// Jaeger) and off (OTEL_SDK_DISABLED=true), in ABBA order with every service restarted before each
// phase, so the machine's drift cancels out. Compared: throughput, latency percentiles and the CPU
// time the nine service processes used per iteration (read from /proc — the most robust number on
// a shared, noisy machine). Metrics cannot be switched off (every service serves them), so their
// cost is measured apart: the metric updates per iteration (from the services' own /metrics) times
// prom-client's cost per update (timed here), and the CPU one scrape of every service takes.
//
// Never asserted in a test: a benchmark's numbers are for reading. Results: results/bench/.
//
//   node tools/bench/overhead.ts   (make bench; BENCH_PROFILE, BENCH_ITERATIONS, BENCH_CONCURRENCY,
//                                   BENCH_ROUNDS, BENCH_WARMUP override the defaults below)
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { platform, SERVICE_NAMES, type Platform, type Profile } from '../platform/index.ts';
import { requestJson } from '../platform/http.ts';
import { groupCpuTicks } from '../platform/proc.ts';
import { seed } from '../seed/seed.ts';
import { adminHeaders, createStockedProduct, signedInCustomer } from './fixtures.ts';
import { abba, formatRatio, latency, metricUpdates, ratio, type Latency } from './stats.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RESULTS = path.join(ROOT, 'results/bench');
const TICKS_PER_SECOND = 100; // USER_HZ
const RUNTIME_METRICS = ['ordermesh_process_', 'ordermesh_nodejs_'];

const numberFrom = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};
const settings = {
  profile: (process.env['BENCH_PROFILE'] ?? 'test') as Profile,
  iterations: numberFrom('BENCH_ITERATIONS', 400),
  concurrency: numberFrom('BENCH_CONCURRENCY', 6),
  rounds: numberFrom('BENCH_ROUNDS', 1),
  warmup: numberFrom('BENCH_WARMUP', 60),
  customers: 24,
};

type Variant = 'traced' | 'untraced';
type Kind = 'order' | 'view' | 'list';
const KINDS: readonly Kind[] = ['order', 'view', 'list'];

interface Customer {
  token: string;
  forwardedFor: string;
}
interface World {
  gateway: string;
  customers: Customer[];
  productId: string;
}
interface Phase {
  variant: Variant;
  wallMs: number;
  iterations: number;
  errors: number;
  latencyMs: Record<Kind, number[]>;
  serviceCpuMs: number;
  jaegerCpuMs: number;
  metricUpdates: number;
}

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

// --- the platform, with tracing on or off -------------------------------------------------------

function platformFor(variant: Variant): Platform {
  const env = { ...process.env };
  if (variant === 'untraced') env['OTEL_SDK_DISABLED'] = 'true';
  else delete env['OTEL_SDK_DISABLED'];
  return platform(settings.profile, { env, log: (line) => log(line.trim()) });
}

/** Every service stopped and started again with the variant's environment (infra stays up). */
async function restartServices(variant: Variant): Promise<void> {
  const p = platformFor(variant);
  for (const name of SERVICE_NAMES) await p.stop(name);
  await p.up();
}

function cpuMs(p: Platform, names: readonly string[]): number {
  let ticks = 0;
  for (const name of names) {
    const pid = p.pidOf(name);
    if (pid !== null) ticks += groupCpuTicks(pid);
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

async function scrapeUpdates(p: Platform): Promise<number> {
  const services = p.connectionInfo().services;
  let total = 0;
  for (const name of SERVICE_NAMES) {
    const response = await fetch(`${services[name]!.management}/metrics`);
    total += metricUpdates(await response.text(), RUNTIME_METRICS);
  }
  return total;
}

// --- the load -------------------------------------------------------------------------------------

async function createWorld(p: Platform): Promise<World> {
  const gateway = `${p.connectionInfo().services['gateway']!.http}/api/v1`;
  const asAdmin = await adminHeaders(gateway);
  const productId = await createStockedProduct(gateway, asAdmin, 'Bench product');

  // Customers behind addresses of their own (TEST-NET-2), well under the per-client rate limits.
  const customers: Customer[] = [];
  for (let i = 0; i < settings.customers; i++) {
    const forwardedFor = `198.51.100.${i + 1}`;
    const token = await signedInCustomer(gateway, forwardedFor, `Bench Customer ${i}`);
    customers.push({ token, forwardedFor });
  }
  return { gateway, customers, productId };
}

interface Placed {
  id: string;
  headers: Record<string, string>;
}

/** One iteration: an order, a product view, the customer's order list. Returns the order. */
async function iteration(
  world: World,
  index: number,
  record: (kind: Kind, ms: number, ok: boolean) => void,
): Promise<Placed | undefined> {
  const customer = world.customers[index % world.customers.length]!;
  const headers = {
    authorization: `Bearer ${customer.token}`,
    'x-forwarded-for': customer.forwardedFor,
  };
  const timed = async <T>(
    kind: Kind,
    ok: number,
    call: () => Promise<{ status: number; body: T }>,
  ) => {
    const started = performance.now();
    const result = await call().catch(() => ({ status: 0, body: undefined }));
    record(kind, performance.now() - started, result.status === ok);
    return result.status === ok ? result.body : undefined;
  };
  const order = await timed('order', 201, () =>
    requestJson<{ id: string }>(`${world.gateway}/orders`, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': randomUUID() },
      body: { items: [{ productId: world.productId, quantity: 1 }], paymentMethod: 'card' },
    }),
  );
  await timed('view', 200, () => requestJson(`${world.gateway}/products/${world.productId}`));
  await timed('list', 200, () => requestJson(`${world.gateway}/orders?pageSize=5`, { headers }));
  return order && { id: order.id, headers };
}

async function runLoad(
  world: World,
  iterations: number,
  record: (kind: Kind, ms: number, ok: boolean) => void,
): Promise<Placed[]> {
  const orders: Placed[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: settings.concurrency }, async () => {
      while (next < iterations) {
        const placed = await iteration(world, next++, record);
        if (placed) orders.push(placed);
      }
    }),
  );
  return orders;
}

/** Waits until the sagas of the last orders are over, so their CPU counts in the phase. */
async function waitForSagas(world: World, orders: readonly Placed[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (const { id, headers } of orders.slice(-10)) {
    for (;;) {
      const { body } = await requestJson<{ status?: string }>(`${world.gateway}/orders/${id}`, {
        headers,
      });
      if (body.status && body.status !== 'PENDING') break;
      if (Date.now() > deadline) throw new Error(`order ${id} still ${body.status} after 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function runPhase(world: World, variant: Variant): Promise<Phase> {
  log(`phase: ${variant} — restarting every service`);
  await restartServices(variant);
  const p = platformFor(variant);
  await runLoad(world, settings.warmup, () => undefined);

  const latencyMs: Record<Kind, number[]> = { order: [], view: [], list: [] };
  let errors = 0;
  const updatesBefore = await scrapeUpdates(p);
  const servicesBefore = cpuMs(p, SERVICE_NAMES);
  const jaegerBefore = cpuMs(p, ['jaeger']);
  const started = performance.now();
  const orders = await runLoad(world, settings.iterations, (kind, ms, ok) => {
    latencyMs[kind].push(ms);
    if (!ok) errors++;
  });
  const wallMs = performance.now() - started;
  await waitForSagas(world, orders);
  const phase: Phase = {
    variant,
    wallMs,
    iterations: settings.iterations,
    errors,
    latencyMs,
    serviceCpuMs: cpuMs(p, SERVICE_NAMES) - servicesBefore,
    jaegerCpuMs: cpuMs(p, ['jaeger']) - jaegerBefore,
    metricUpdates: (await scrapeUpdates(p)) - updatesBefore,
  };
  log(
    `${variant}: ${(phase.iterations / (wallMs / 1000)).toFixed(1)} iterations/s, ` +
      `${(phase.serviceCpuMs / phase.iterations).toFixed(1)} ms service CPU per iteration, ${errors} errors`,
  );
  return phase;
}

// --- metrics, apart -------------------------------------------------------------------------------

/** prom-client's cost of one labelled histogram observation, in ns (timed in this process). */
function observeCostNs(): number {
  const require = createRequire(import.meta.url);
  const { Histogram, Registry } = require('prom-client') as typeof import('prom-client');
  const histogram = new Histogram({
    name: 'bench_duration_seconds',
    help: 'bench',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [new Registry()],
  });
  const labels = Array.from({ length: 12 }, (_, i) => ({
    method: i % 2 ? 'GET' : 'POST',
    route: `/api/v1/route-${i % 6}`,
    status_code: String(200 + (i % 3)),
  }));
  const run = (n: number) => {
    for (let i = 0; i < n; i++) histogram.observe(labels[i % labels.length]!, (i % 997) / 1000);
  };
  run(100_000);
  const n = 1_000_000;
  const started = process.hrtime.bigint();
  run(n);
  return Number(process.hrtime.bigint() - started) / n;
}

/** CPU the services spend answering one scrape of every service's /metrics (idle CPU removed). */
async function scrapeCostMs(p: Platform): Promise<number> {
  const idleStart = cpuMs(p, SERVICE_NAMES);
  const idleStarted = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const idlePerMs = (cpuMs(p, SERVICE_NAMES) - idleStart) / (performance.now() - idleStarted);
  const scrapes = 50;
  const before = cpuMs(p, SERVICE_NAMES);
  const started = performance.now();
  for (let i = 0; i < scrapes; i++) await scrapeUpdates(p);
  const used = cpuMs(p, SERVICE_NAMES) - before - idlePerMs * (performance.now() - started);
  return Math.max(0, used) / scrapes;
}

// --- report -----------------------------------------------------------------------------------------

function pooled(phases: readonly Phase[], variant: Variant) {
  const of = phases.filter((phase) => phase.variant === variant);
  const sum = (pick: (phase: Phase) => number) => of.reduce((total, ph) => total + pick(ph), 0);
  const iterations = sum((ph) => ph.iterations);
  const byKind = Object.fromEntries(
    KINDS.map((kind) => [kind, latency(of.flatMap((ph) => ph.latencyMs[kind]))]),
  ) as Record<Kind, Latency>;
  return {
    iterationsPerSecond: iterations / (sum((ph) => ph.wallMs) / 1000),
    serviceCpuMsPerIteration: sum((ph) => ph.serviceCpuMs) / iterations,
    jaegerCpuMsPerIteration: sum((ph) => ph.jaegerCpuMs) / iterations,
    metricUpdatesPerIteration: sum((ph) => ph.metricUpdates) / iterations,
    errors: sum((ph) => ph.errors),
    latency: byKind,
  };
}

/** The largest relative difference in CPU per iteration between phases of the same variant. */
function noise(phases: readonly Phase[]): number {
  let worst = 0;
  for (const variant of ['traced', 'untraced'] as const) {
    const perIteration = phases
      .filter((ph) => ph.variant === variant)
      .map((ph) => ph.serviceCpuMs / ph.iterations);
    if (perIteration.length < 2) continue;
    worst = Math.max(worst, Math.max(...perIteration) / Math.min(...perIteration) - 1);
  }
  return worst;
}

function markdown(report: ReturnType<typeof buildReport>): string {
  const { traced, untraced, metrics } = report;
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const row = (name: string, a: number, b: number, unit: (v: number) => string) =>
    `| ${name} | ${unit(a)} | ${unit(b)} | ${formatRatio(ratio(a, b))} |`;
  const lines = [
    '# Tracing and metrics overhead (`make bench`)',
    '',
    `${report.startedAt}, ${report.machine.cpus} CPUs, load average at start ${report.machine.loadAverage}. ` +
      `Phases (ABBA, every service restarted before each): ${report.phases.map((ph) => ph.variant).join(', ')}; ` +
      `${settings.iterations} iterations each (order + product view + order list) at concurrency ` +
      `${settings.concurrency} after ${settings.warmup} warm-up iterations.`,
    '',
    '## Tracing: on (every request sampled, exported to Jaeger) ÷ off (OTEL_SDK_DISABLED=true)',
    '',
    '| measure | tracing on | tracing off | ratio on ÷ off |',
    '|---|---|---|---|',
    row('iterations per second', traced.iterationsPerSecond, untraced.iterationsPerSecond, (v) =>
      v.toFixed(1),
    ),
    row(
      'service CPU per iteration',
      traced.serviceCpuMsPerIteration,
      untraced.serviceCpuMsPerIteration,
      ms,
    ),
    ...KINDS.flatMap((kind) => [
      row(`${kind} p50`, traced.latency[kind].p50, untraced.latency[kind].p50, ms),
      row(`${kind} p95`, traced.latency[kind].p95, untraced.latency[kind].p95, ms),
    ]),
    '',
    `Jaeger used ${ms(traced.jaegerCpuMsPerIteration)} CPU per iteration with tracing on ` +
      `(${ms(untraced.jaegerCpuMsPerIteration)} off). Failed requests: ${traced.errors} on, ${untraced.errors} off. ` +
      `Noise: phases of the same variant differ by up to ${(report.noise * 100).toFixed(0)} % in CPU per ` +
      'iteration; a ratio closer to 1 than that is not a measurable difference.',
    '',
    '## Metrics (always on: measured apart)',
    '',
    `- ${metrics.updatesPerIteration.toFixed(0)} metric updates per iteration across the nine services ` +
      `(histogram observations and counter increments, runtime metrics left out; background work such as ` +
      `the outbox relay's and the saga worker's polls counts too, so this is an upper bound); prom-client takes ` +
      `${metrics.observeNs.toFixed(0)} ns per labelled histogram observation here, so recording costs at most ` +
      `${ms(metrics.recordingMsPerIteration)} per iteration: ${(metrics.recordingShare * 100).toFixed(2)} % of ` +
      "the services' CPU per iteration (with tracing off).",
    `- One scrape of every service's /metrics costs ${ms(metrics.scrapeMs)} of CPU: ` +
      `${(metrics.scrapeShareOfCore * 100).toFixed(3)} % of one core at Prometheus' 15 s interval.`,
    '',
    '## Phases',
    '',
    '| # | tracing | iterations/s | service CPU/iteration | order p50 / p95 | errors |',
    '|---|---|---|---|---|---|',
    ...report.phases.map((ph, i) => {
      const order = ph.latency['order']!;
      return `| ${i + 1} | ${ph.variant === 'traced' ? 'on' : 'off'} | ${(ph.iterations / (ph.wallMs / 1000)).toFixed(1)} | ${ms(ph.serviceCpuMs / ph.iterations)} | ${ms(order.p50)} / ${ms(order.p95)} | ${ph.errors} |`;
    }),
    '',
  ];
  return lines.join('\n');
}

function buildReport(
  startedAt: string,
  loadAverage: string,
  phases: Phase[],
  observeNs: number,
  scrapeMs: number,
) {
  const traced = pooled(phases, 'traced');
  const untraced = pooled(phases, 'untraced');
  const recordingMsPerIteration = (untraced.metricUpdatesPerIteration * observeNs) / 1e6;
  return {
    startedAt,
    machine: { cpus: cpus().length, loadAverage },
    settings,
    traced,
    untraced,
    ratios: {
      iterationsPerSecond: ratio(traced.iterationsPerSecond, untraced.iterationsPerSecond),
      serviceCpuPerIteration: ratio(
        traced.serviceCpuMsPerIteration,
        untraced.serviceCpuMsPerIteration,
      ),
      orderP95: ratio(traced.latency.order.p95, untraced.latency.order.p95),
    },
    noise: noise(phases),
    metrics: {
      updatesPerIteration: untraced.metricUpdatesPerIteration,
      observeNs,
      recordingMsPerIteration,
      recordingShare: recordingMsPerIteration / untraced.serviceCpuMsPerIteration,
      scrapeMs,
      scrapeShareOfCore: scrapeMs / 15_000,
    },
    phases: phases.map(({ latencyMs, ...rest }) => ({
      ...rest,
      latency: Object.fromEntries(KINDS.map((kind) => [kind, latency(latencyMs[kind])])),
    })),
  };
}

// --- main ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const loadAverage = loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');
  const base = platformFor('traced');
  const wasUp = (await base.status()).some((row) => row.state === 'running');
  await base.up();
  await seed(settings.profile);
  const world = await createWorld(base);

  const phases: Phase[] = [];
  try {
    for (const variant of abba<Variant>('traced', 'untraced', settings.rounds)) {
      phases.push(await runPhase(world, variant));
    }
    const observeNs = observeCostNs();
    const scrapeMs = await scrapeCostMs(base);
    const report = buildReport(startedAt, loadAverage, phases, observeNs, scrapeMs);
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(path.join(RESULTS, 'overhead.json'), `${JSON.stringify(report, null, 2)}\n`);
    const text = markdown(report);
    writeFileSync(path.join(RESULTS, 'overhead.md'), text);
    process.stdout.write(`${text}\nresults: results/bench/overhead.{md,json}\n`);
  } finally {
    // Leave the platform as it was found: down if the bench started it, else traced again.
    if (wasUp) await restartServices('traced');
    else await base.down();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
