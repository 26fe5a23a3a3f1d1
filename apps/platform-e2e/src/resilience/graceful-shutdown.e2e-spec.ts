/**
 * Graceful shutdown (libs/service-kit bootstrap): SIGTERM to a service under light load
 * (`ordermesh stop shipping`) turns its readiness to 503 at once, lets the requests in flight
 * finish, exits well before SHUTDOWN_TIMEOUT_MS, and leaves its Kafka consumer group committed —
 * after the restart nothing is delivered twice and nothing is lost.
 */
import { waitFor } from '@ordermesh/testing';
import { chaosConfig, LoadDriver, sleep, type World, createWorld } from '@ordermesh/chaos';
import { Platform } from '../chaos/control';
import { connection } from '../support/connection-env';
import { admin, anonymous } from '../support/fixtures';

const SERVICE = 'shipping';

interface Probe {
  at: number;
  status: number | 'refused' | 'timeout';
}

/**
 * Polls `url` one request at a time, 20 ms apart, recording each answer. A probe may take as long
 * as the readiness checks (up to 2 s each on a busy machine) before the signal, so it waits 3 s
 * before it counts as a timeout; after the signal the service answers 503 at once.
 */
function pollReadiness(url: string, t0: number) {
  const probes: Probe[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const at = Date.now() - t0;
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
        await response.arrayBuffer();
        probes.push({ at, status: response.status });
      } catch (error) {
        probes.push({
          at,
          status: (error as Error).name === 'TimeoutError' ? 'timeout' : 'refused',
        });
      }
      await sleep(20);
    }
  })();
  return {
    probes,
    /** Resolves once `count` probes in a row answered 200. */
    ready: (count: number) =>
      waitFor(
        async () => {
          const last = probes.slice(-count);
          return last.length === count && last.every((p) => p.status === 200) ? true : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 20, what: `${count} ready answers in a row` },
      ),
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** The probes as `status@ms` runs, for a failure message. */
function describeProbes(probes: Probe[]): string {
  const runs: string[] = [];
  for (const [i, p] of probes.entries()) {
    if (i === 0 || probes[i - 1]!.status !== p.status) runs.push(`${p.status}@${p.at}`);
  }
  return runs.join(' → ');
}

function duplicatesIn(metrics: string, group: string): number {
  return metrics
    .split('\n')
    .filter(
      (line) =>
        line.startsWith('ordermesh_kafka_messages_consumed_total{') &&
        line.includes(`group="${group}"`) &&
        line.includes('outcome="duplicate"'),
    )
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

describe('graceful shutdown under light load', () => {
  const t0 = Date.now();
  const platform = new Platform(() => Date.now() - t0);
  let world: World;

  beforeAll(async () => {
    world = await createWorld(
      { ...chaosConfig('short'), customers: 3, products: 1 },
      { anonymous, admin },
    );
  });

  afterAll(async () => {
    await platform.cli('start', SERVICE).catch(() => undefined);
    await platform.close();
  });

  it('SIGTERM: ready → 503 at once, in-flight calls finish, exit in time, offsets committed', async () => {
    const http = connection.services[SERVICE]!.http;
    const env = await platform.serviceEnv(SERVICE);
    const shutdownTimeoutMs = Number(env['SHUTDOWN_TIMEOUT_MS'] ?? 10_000);
    const driver = new LoadDriver(process.env['E2E_GATEWAY_URL']!, world, t0, 11);

    // Light load: orders whose confirmations shipping consumes.
    driver.start({ orderRate: 3, viewRate: 0, healthyRate: 0, maxInFlight: 50 });
    await sleep(4_000);
    const confirmed = await waitFor(
      async () => {
        const ids = [...driver.acceptedOrderIds()];
        const rows = await platform.query<{ id: string }>(
          'order',
          `SELECT id FROM orders WHERE id = ANY($1::uuid[]) AND status = 'CONFIRMED'`,
          [ids],
        );
        return rows[0]?.id;
      },
      { timeoutMs: 30_000, what: 'a confirmed order' },
    );
    const owner = world.customers.find((c) =>
      driver.records.some((r) => r.orderId === confirmed && r.customer === c.index),
    )!;
    await waitFor(
      async () =>
        (
          await platform.query('shipping', 'SELECT 1 FROM shipments WHERE order_id = $1', [
            confirmed,
          ])
        ).length
          ? true
          : undefined,
      { timeoutMs: 30_000, what: 'its shipment' },
    );

    // The path works end to end first (a breaker a previous suite left open must have closed).
    const shipmentUrl = `${process.env['E2E_GATEWAY_URL']}/api/v1/orders/${confirmed}/shipment`;
    const headers = {
      authorization: `Bearer ${await owner.token()}`,
      'x-forwarded-for': owner.forwardedFor,
    };
    await waitFor(
      async () => ((await fetch(shipmentUrl, { headers })).status === 200 ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 500, what: 'the shipment path to answer 200' },
    );

    // Shipping answers GetShipment 1.2 s late: calls are in flight when SIGTERM arrives.
    await platform.setFaults(SERVICE, { latencyMs: 1_200, methods: ['GetShipment'] });
    const slow: { sentAt: number; status: number | 'error'; tookMs: number }[] = [];
    let firing = true;
    const fire = (async () => {
      const pending: Promise<void>[] = [];
      while (firing) {
        const sentAt = Date.now() - t0;
        pending.push(
          fetch(shipmentUrl, { headers, signal: AbortSignal.timeout(15_000) }).then(
            async (response) => {
              await response.arrayBuffer();
              slow.push({ sentAt, status: response.status, tookMs: Date.now() - t0 - sentAt });
            },
            () => {
              slow.push({ sentAt, status: 'error', tookMs: Date.now() - t0 - sentAt });
            },
          ),
        );
        await sleep(100);
      }
      await Promise.all(pending);
    })();
    await sleep(1_500);

    const pid = await platform.pidOf(SERVICE);
    expect(pid).toBeDefined();
    // The poller is warm (connection open, shipping answering ready) before the signal.
    const readiness = pollReadiness(`${http}/health/ready`, t0);
    await readiness.ready(3);
    let exitedAt: number | undefined;
    const watchExit = (async () => {
      for (;;) {
        try {
          process.kill(pid!, 0);
        } catch {
          exitedAt = Date.now() - t0;
          return;
        }
        await sleep(10);
      }
    })();
    const stopped = await platform.cli('stop', SERVICE);
    await watchExit;
    firing = false;
    await fire;
    await readiness.stop();
    await driver.stop();

    const probes = readiness.probes;
    const lastReady = [...probes].reverse().find((p) => p.status === 200);
    const first503 = probes.find((p) => p.status === 503);
    const afterDown = probes.filter((p) => first503 && p.at > first503.at);
    // Readiness: 200 until the signal, then 503 (never 200 again) until the process is gone.
    expect({ first503, probes: describeProbes(probes) }).toEqual({
      first503: expect.objectContaining({ status: 503 }),
      probes: expect.any(String),
    });
    expect(afterDown.every((p) => p.status !== 200)).toBe(true);
    // The process exits well within its budget, without the platform's SIGKILL.
    expect(stopped.output).toMatch(/stopped/);
    expect(stopped.output).not.toMatch(/killed after the stop timeout/);
    expect(exitedAt! - first503!.at).toBeLessThan(shutdownTimeoutMs);
    // Calls that reached shipping before the signal completed normally.
    const inFlight = slow.filter((r) => r.sentAt + 50 < lastReady!.at);
    expect(inFlight.length).toBeGreaterThan(0);
    expect(inFlight.filter((r) => r.status !== 200)).toEqual([]);
    // Later ones were refused cleanly (503 from the gateway), never a 500.
    expect(slow.filter((r) => r.status !== 200 && r.status !== 503 && r.status !== 504)).toEqual(
      [],
    );

    // Restart: the group resumes from its committed offsets — no record handled twice, none lost.
    await platform.cli('start', SERVICE);
    await waitFor(async () => ((await platform.groupLag(SERVICE)) === 0 ? true : undefined), {
      timeoutMs: 60_000,
      what: `${SERVICE} to catch up`,
    });
    const metrics = await (await fetch(`${http}/metrics`)).text();
    expect(duplicatesIn(metrics, SERVICE)).toBe(0);
    const ids = [...driver.acceptedOrderIds()];
    await waitFor(
      async () => {
        const rows = await platform.query<{ open: number }>(
          'order',
          `SELECT count(*)::int AS open FROM orders WHERE id = ANY($1::uuid[]) AND saga_state <> 'DONE'`,
          [ids],
        );
        return rows[0]?.open === 0 ? true : undefined;
      },
      { timeoutMs: 60_000, what: 'every order to be final' },
    );
    const confirmedIds = (
      await platform.query<{ id: string }>(
        'order',
        `SELECT id FROM orders WHERE id = ANY($1::uuid[]) AND status IN ('CONFIRMED', 'SHIPPED')`,
        [ids],
      )
    ).map((r) => r.id);
    const shipments = await waitFor(
      async () => {
        const rows = await platform.query<{ order_id: string; n: number }>(
          'shipping',
          'SELECT order_id, count(*)::int AS n FROM shipments WHERE order_id = ANY($1::uuid[]) GROUP BY order_id',
          [confirmedIds],
        );
        return rows.length === confirmedIds.length ? rows : undefined;
      },
      { timeoutMs: 30_000, what: 'a shipment for every confirmed order' },
    );
    expect(shipments.every((s) => s.n === 1)).toBe(true);
    process.stdout.write(
      `[graceful] ${SERVICE}: readiness 503 at ${first503!.at} ms, exited ${exitedAt! - first503!.at} ms later ` +
        `(budget ${shutdownTimeoutMs} ms); ${inFlight.length} in-flight calls completed; ` +
        `${confirmedIds.length} confirmed orders, one shipment each, 0 duplicates after restart\n`,
    );
  }, 240_000);
});
