/**
 * Scaling one service out alone (README "Scaling one service"): `ordermesh scale inventory 3`
 * runs three inventory replicas and restarts inventory's callers (product, order, gateway) with
 * all three addresses; their round_robin clients spread every call over them. Under a bounded
 * load of orders and product views (the chaos suite's driver, short mode), each replica serves a
 * fair share of inventory's calls (its own /metrics: no replica under half of an equal share);
 * then one replica is SIGKILLed mid-load and started again: the chaos suite's invariant checker
 * audits that no accepted order is lost, stock is conserved, every 5xx was a clear 503/504, and the
 * restarted replica gets calls again. The platform goes back to one replica afterwards.
 */
import { ordermeshJson, ordermeshOutput, waitFor } from '@ordermesh/testing';
import { chaosConfig, type InvariantResult, sleep, verdict } from '@ordermesh/chaos';
import { type Scenario, runScenario } from '../chaos/runner';

const SERVICE = 'inventory';
const REPLICAS = 3;
const KILLED = `${SERVICE}#2`;
/** How long the per-replica shares are measured, under the load, before the kill. */
const MEASURE_MS = 15_000;

interface StatusRow {
  component: string;
  service?: string;
  replica?: number;
  replicas?: number;
  ports: { http: number; grpc?: number };
  state: string;
  health: string;
}

async function replicaRows(): Promise<StatusRow[]> {
  const rows = await ordermeshJson<StatusRow[]>('status');
  return rows.filter((r) => (r.service ?? r.component) === SERVICE);
}

/**
 * InventoryService calls a replica served since it started: the sum of its
 * ordermesh_grpc_server_duration_seconds_count over methods and codes (health checks and the test
 * FaultService have their own grpc_service label and are left out).
 */
async function servedCalls(httpPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('ordermesh_grpc_server_duration_seconds_count{'))
    .filter((line) => line.includes('grpc_service="Inventory"'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

async function callsPerReplica(rows: StatusRow[]): Promise<Record<string, number>> {
  const entries = await Promise.all(
    rows.map(async (r) => [r.component, await servedCalls(r.ports.http)] as const),
  );
  return Object.fromEntries(entries);
}

/** Per replica, the calls of the measuring window, and the verdict on their spread. */
export function fairShare(
  before: Record<string, number>,
  after: Record<string, number>,
): InvariantResult {
  const served = Object.fromEntries(
    Object.keys(after).map((r) => [r, (after[r] ?? 0) - (before[r] ?? 0)]),
  );
  const total = Object.values(served).reduce((a, b) => a + b, 0);
  const equal = total / Object.keys(served).length;
  const violations = Object.entries(served)
    .filter(([, n]) => total === 0 || n < equal / 2)
    .map(([r, n]) => `${r} served ${n} of ${total} calls (an equal share is ${equal.toFixed(0)})`);
  return verdict(
    'fair-share',
    'every replica serves at least half of an equal share of the calls',
    violations,
    `${Object.entries(served)
      .map(([r, n]) => `${r} ${n}`)
      .join(', ')} (total ${total})`,
  );
}

describe('fair share', () => {
  it('passes an even spread and catches a replica left out', () => {
    expect(fairShare({ a: 10, b: 0 }, { a: 60, b: 45 }).passed).toBe(true);
    expect(fairShare({}, { a: 100, b: 20, c: 90 }).passed).toBe(false);
    expect(fairShare({}, { a: 0, b: 0 }).passed).toBe(false);
  });
});

describe(`scaling ${SERVICE} out to ${REPLICAS} replicas`, () => {
  const measured: { window?: InvariantResult; afterRestart?: Record<string, number> } = {};

  beforeAll(async () => {
    await ordermeshOutput('scale', SERVICE, String(REPLICAS));
  }, 300_000);

  afterAll(async () => {
    // Later suites expect one replica of everything.
    await ordermeshOutput('scale', SERVICE, '1');
    const rows = await replicaRows();
    expect(rows.map((r) => r.component)).toEqual([SERVICE]);
  }, 300_000);

  it('runs every replica on its own ports and tells every caller about all of them', async () => {
    const rows = await replicaRows();
    expect(rows.map((r) => [r.component, r.replica, r.replicas, r.state])).toEqual([
      [SERVICE, 1, REPLICAS, 'running'],
      [`${SERVICE}#2`, 2, REPLICAS, 'running'],
      [`${SERVICE}#3`, 3, REPLICAS, 'running'],
    ]);
    expect(new Set(rows.map((r) => r.ports.grpc)).size).toBe(REPLICAS);
    const target = `ipv4:${rows.map((r) => `127.0.0.1:${r.ports.grpc}`).join(',')}`;
    for (const caller of ['product', 'order', 'gateway']) {
      const env = await ordermeshJson<Record<string, string>>('env', caller);
      expect({ caller, target: env['INVENTORY_GRPC_ADDR'] }).toEqual({ caller, target });
    }
    // The callers run with that environment: they were restarted after the replicas started.
    for (const row of await ordermeshJson<StatusRow[]>('status'))
      if (['product', 'order', 'gateway'].includes(row.component))
        expect({ component: row.component, state: row.state }).toEqual({
          component: row.component,
          state: 'running',
        });
  });

  it('spreads the calls over every replica and loses no order when one is killed', async () => {
    const rows = await replicaRows();
    const scenario: Scenario = {
      id: 'scale-out',
      title: `${REPLICAS} ${SERVICE} replicas under load; ${KILLED} SIGKILLed, down 8 s, started again`,
      short: false,
      async run(ctx) {
        const before = await callsPerReplica(rows);
        await sleep(MEASURE_MS);
        measured.window = fairShare(before, await callsPerReplica(rows));
        ctx.notes.push(`calls per replica in ${MEASURE_MS / 1000} s: ${measured.window.summary}`);
        ctx.faultStarted();
        await ctx.platform.cli('kill', KILLED);
        await sleep(8_000);
        await ctx.platform.cli('start', KILLED);
        ctx.recovered();
      },
      async verify(ctx) {
        // After the afterRecovery load: the restarted replica was reconnected to and served again.
        measured.afterRestart = await callsPerReplica(await replicaRows());
        const back = measured.afterRestart[KILLED] ?? 0;
        ctx.notes.push(
          `calls per replica since each started: ${JSON.stringify(measured.afterRestart)}`,
        );
        return [
          measured.window!,
          verdict(
            'replica-back',
            `${KILLED} gets calls again after its restart`,
            back > 0 ? [] : [`${KILLED} served no call after its restart`],
            `${KILLED} served ${back} calls since its restart`,
          ),
        ];
      },
      async cleanup(ctx) {
        if ((await replicaRows()).some((r) => r.state !== 'running'))
          await ctx.platform.cli('start', SERVICE).catch(() => undefined);
      },
    };
    const { report, files } = await runScenario(scenario, chaosConfig('short'));
    process.stdout.write(
      `[scale-out] ${report.passed ? 'passed' : 'FAILED'} (${files.md}): ${report.notes.join(' | ')}\n`,
    );
    const failed = report.invariants
      .filter((i) => !i.passed)
      .map((i) => `${i.id}: ${i.summary} — ${i.violations.slice(0, 5).join('; ')}`);
    expect(failed).toEqual([]);
    expect(report.invariants.map((i) => i.id)).toEqual(
      expect.arrayContaining(['fair-share', 'replica-back', 'no-lost-orders', 'clear-5xx']),
    );
  }, 600_000);

  it('goes back to one replica, callers with one address again', async () => {
    const extra = (await replicaRows()).slice(1);
    await ordermeshOutput('scale', SERVICE, '1');
    const rows = await replicaRows();
    expect(rows.map((r) => [r.component, r.state])).toEqual([[SERVICE, 'running']]);
    const env = await ordermeshJson<Record<string, string>>('env', 'order');
    expect(env['INVENTORY_GRPC_ADDR']).toBe(`127.0.0.1:${rows[0]!.ports.grpc}`);
    // The replicas beyond the first are gone, their ports free.
    for (const row of extra)
      await waitFor(
        async () => {
          const r = await fetch(`http://127.0.0.1:${row.ports.http}/health/live`).catch(() => null);
          return r === null ? true : undefined;
        },
        { timeoutMs: 20_000, what: `${row.component} gone` },
      );
  }, 300_000);
});
