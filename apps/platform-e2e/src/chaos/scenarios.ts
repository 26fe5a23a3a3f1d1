import Redis from 'ioredis';
import { ALL_SERVICES, type PgService } from './control';
import { verdict, mulberry32, sleep } from '@ordermesh/chaos';
import type { Scenario, ScenarioContext } from './runner';

const full = (ctx: ScenarioContext) => ctx.config.mode === 'full';

/**
 * 0. No fault: the same load for as long as the longest fault. If this fails, the platform cannot
 * carry the load at all on this machine, and the other scenarios' verdicts say nothing about
 * resilience (lower CHAOS_ORDER_RATE).
 */
const baseline: Scenario = {
  id: 'baseline',
  title: 'no fault: the load alone for 30 s (short: 15 s) — can the platform carry it?',
  short: false,
  async run(ctx) {
    ctx.faultStarted();
    await sleep(full(ctx) ? 30_000 : 15_000);
    ctx.recovered();
  },
};

/** 1. The payment service SIGKILLed, down for a while, then started again. */
const paymentKill: Scenario = {
  id: 'payment-kill',
  title: 'payment SIGKILLed under load, down 30 s (short: 15 s), then restarted',
  short: true,
  async run(ctx) {
    ctx.faultStarted();
    await ctx.platform.cli('kill', 'payment');
    await sleep(full(ctx) ? 30_000 : 15_000);
    await ctx.platform.cli('start', 'payment');
    ctx.recovered();
  },
  async verify(ctx) {
    // The saga keeps retrying the payment step; order's breaker towards payment shows the outage.
    const opened = ctx.sampler.saw('order', 'payment', 'open');
    ctx.notes.push(`order → payment breaker opened during the outage: ${opened}`);
    return [];
  },
};

/** 2. The Kafka broker stopped, then started again. */
const kafkaOutage: Scenario = {
  id: 'kafka-outage',
  title: 'Kafka broker stopped under load for 20 s (short: 12 s), then restarted',
  short: true,
  async run(ctx) {
    ctx.faultStarted();
    await ctx.platform.cli('stop', 'kafka');
    await ctx.platform.resetKafka();
    await sleep(full(ctx) ? 20_000 : 12_000);
    await ctx.platform.cli('start', 'kafka');
    await ctx.platform.resetKafka();
    ctx.recovered();
  },
  async cleanup(ctx) {
    await ctx.platform.resetKafka();
  },
};

/** 3. The order service SIGKILLed at random points of its sagas, restarted each time. */
const orderKills: Scenario = {
  id: 'order-kills',
  title: 'order SIGKILLed at random moments of its sagas 6 times (short: 2), restarted each time',
  short: true,
  async run(ctx) {
    const random = mulberry32(7);
    const kills = full(ctx) ? 6 : 2;
    ctx.faultStarted();
    for (let i = 0; i < kills; i++) {
      // Sagas are in flight at every moment of the load: a random delay lands in random steps.
      if (i > 0) await sleep(500 + Math.floor(random() * 3_000));
      await ctx.platform.cli('kill', 'order');
      await ctx.platform.cli('start', 'order');
    }
    ctx.recovered();
  },
};

/** 4. Inventory slowed by 2 s per call: breakers open, product views degrade, the rest is fast. */
const inventorySlow: Scenario = {
  id: 'inventory-slow',
  title: 'inventory answers every call 2 s late for 30 s (short: 15 s): breakers, degraded views',
  short: false,
  async run(ctx) {
    ctx.faultStarted();
    await ctx.platform.setFaults('inventory', { latencyMs: 2_000 });
    await sleep(full(ctx) ? 30_000 : 15_000);
    await ctx.platform.setFaults('inventory', {});
    ctx.recovered();
  },
  async verify(ctx) {
    const { start: from, end: to } = ctx.faultWindow();
    const during = ctx.driver.records.filter((r) => r.sentAt >= from + 3_000 && r.sentAt < to);
    const views = during.filter((r) => r.kind === 'view');
    const degraded = views.filter((r) => r.status === 200 && r.degraded);
    const failedViews = views.filter((r) => r.status !== 200);
    const healthy = during.filter((r) => r.kind === 'healthy' && r.status === 200);
    const p95 = percentile(
      healthy.map((r) => r.latencyMs),
      0.95,
    );
    const opened =
      ctx.sampler.saw('product', 'inventory', 'open') ||
      ctx.sampler.saw('order', 'inventory', 'open');
    const violations: string[] = [];
    if (!opened) violations.push('no breaker towards inventory opened');
    if (degraded.length === 0) violations.push('no degraded product view during the fault');
    if (failedViews.length > 0) {
      violations.push(`${failedViews.length} product views failed instead of degrading`);
    }
    // Not a performance bound: the healthy path must not wait for the slow dependency at all.
    if (healthy.length === 0 || p95 >= 2_000) {
      violations.push(`order-list p95 ${p95} ms during the fault: it waits for inventory`);
    }
    return [
      verdict(
        'degrades-gracefully',
        'breakers towards inventory open, product views degrade (200, degraded), other paths do not wait for inventory',
        violations,
        `${degraded.length}/${views.length} views degraded, ${failedViews.length} failed; breaker opened: ${opened}; order-list p95 ${p95} ms over ${healthy.length} requests`,
      ),
    ];
  },
  async cleanup(ctx) {
    await ctx.platform.setFaults('inventory', {});
  },
};

/** 5. One service's PostgreSQL connections lost, then allowed again. */
function databaseLost(service: PgService, short: boolean): Scenario {
  return {
    id: `${service}-db-lost`,
    title: `${service}'s PostgreSQL connections terminated and refused for 30 s (short: 15 s)`,
    short,
    async run(ctx) {
      ctx.faultStarted();
      await ctx.platform.cutDatabase(service);
      await sleep(full(ctx) ? 30_000 : 15_000);
      await ctx.platform.restoreDatabase(service);
      ctx.recovered();
    },
    async cleanup(ctx) {
      await ctx.platform.restoreDatabase(service);
    },
  };
}

/** 6. Every consumer group replayed from offset zero: duplicates must change nothing. */
interface ReplayBaseline {
  orders: Map<string, string>;
  shipments: Map<string, string>;
  processed: Map<string, string | number>;
  notifications: Map<string, number>;
  since: number;
  cutoff: number;
}
const baselines = new WeakMap<ScenarioContext, ReplayBaseline>();

const replay: Scenario = {
  id: 'replay',
  title:
    "every service's consumer group rewound to offset zero under load: duplicates change nothing",
  short: true,
  replaysHistory: true,
  async run(ctx) {
    // Let the warm-up's orders settle, then record their effects.
    await ctx.driver.stop();
    ctx.platform.log('replay: settling the warm-up orders');
    await settle(ctx);
    baselines.set(ctx, await effects(ctx));
    ctx.platform.log('replay: baseline recorded');
    ctx.driver.start(ctx.load);
    ctx.faultStarted();
    // One service at a time — stop (its group becomes empty), rewind its group, start — so the
    // API is down only while order itself restarts.
    const groups = await ctx.platform.serviceGroups();
    ctx.notes.push(`consumer groups rewound: ${groups.join(', ')}`);
    for (const group of groups) {
      await ctx.platform.cli('stop', group);
      const topics = await ctx.platform.step(`rewind ${group} to the earliest offsets`, () =>
        ctx.platform.rewindGroup(group),
      );
      ctx.notes.push(`${group}: ${topics.join(', ')}`);
      await ctx.platform.cli('start', group);
    }
    const restarted = ctx.now();
    // The replay is the fault: it is over once every rewound group has re-read everything that
    // was on its topics when it restarted (the live load keeps adding records meanwhile). How long
    // that takes grows with the topics' history (a fresh `make test` platform: seconds).
    const targets = new Map<string, Map<string, number>>();
    for (const group of groups) targets.set(group, await ctx.platform.endOffsets(group));
    const behind = async () => {
      const each = await Promise.all(
        groups.map(async (g) => [g, await ctx.platform.behind(g, targets.get(g)!)] as const),
      );
      return { total: each.reduce((sum, [, n]) => sum + n, 0), each };
    };
    let state = await behind();
    const budgetMs = Math.min(full(ctx) ? 600_000 : 240_000, Math.max(90_000, state.total * 25));
    ctx.platform.log(`replay: ${state.total} records to re-read (at most ${budgetMs / 1000} s)`);
    ctx.notes.push(`${state.total} records still to re-read after the last restart`);
    const deadline = Date.now() + budgetMs;
    while (state.total > 0 && Date.now() < deadline) {
      await sleep(1_000);
      state = await behind();
    }
    if (state.total > 0) {
      const detail = state.each.map(([g, n]) => `${g} ${n}`).join(', ');
      throw new Error(`the replay did not catch up in ${budgetMs / 1000} s (behind: ${detail})`);
    }
    ctx.notes.push(
      `replay caught up ${((ctx.now() - restarted) / 1000).toFixed(1)} s after the last restart`,
    );
    ctx.recovered();
  },
  async verify(ctx) {
    const before = baselines.get(ctx);
    if (!before) return [verdict('replay-changed-nothing', 'replay baseline', ['no baseline'], '')];
    const after = await effects(ctx, before);
    const violations: string[] = [];
    const compare = (what: string, a: Map<string, unknown>, b: Map<string, unknown>) => {
      for (const [key, value] of a) {
        if (b.get(key) !== value)
          violations.push(`${what} ${key}: ${String(value)} → ${String(b.get(key))}`);
      }
    };
    compare('order', before.orders, after.orders);
    compare('shipment of order', before.shipments, after.shipments);
    compare('processed_events of', before.processed, after.processed);
    compare('notifications of customer', before.notifications, after.notifications);
    return [
      verdict(
        'replay-changed-nothing',
        'the replayed events changed no order, shipment, processed_events row or notification',
        violations,
        `${before.orders.size} orders, ${before.shipments.size} shipments, ${[...before.notifications.values()].reduce((a, b) => a + b, 0)} notifications compared before/after the replay`,
      ),
    ];
  },
};

async function settle(ctx: ScenarioContext): Promise<void> {
  const { customerIds, since } = ctx.orderScope();
  const deadline = Date.now() + 60_000;
  for (;;) {
    const [row] = await ctx.platform.query<{ open: number }>(
      'order',
      `SELECT count(*)::int AS open FROM orders
        WHERE customer_id = ANY($1::uuid[]) AND created_at >= $2 AND saga_state <> 'DONE'`,
      [customerIds, new Date(since).toISOString()],
    );
    let lag = 0;
    for (const group of await ctx.platform.serviceGroups())
      lag += await ctx.platform.groupLag(group);
    if ((row?.open ?? 0) === 0 && lag === 0) return;
    if (Date.now() > deadline) throw new Error('the warm-up load did not settle within 60 s');
    await sleep(1_000);
  }
}

/** The effects of the scenario's orders so far (or of `baseline`'s orders). */
async function effects(ctx: ScenarioContext, baseline?: ReplayBaseline): Promise<ReplayBaseline> {
  const { customerIds, since } = ctx.orderScope();
  const cutoff = baseline?.cutoff ?? Date.now();
  const orderIds = baseline
    ? [...baseline.orders.keys()]
    : (
        await ctx.platform.query<{ id: string }>(
          'order',
          'SELECT id FROM orders WHERE customer_id = ANY($1::uuid[]) AND created_at >= $2',
          [customerIds, new Date(since).toISOString()],
        )
      ).map((r) => r.id);
  const orders = await ctx.platform.query<{ id: string; v: string }>(
    'order',
    `SELECT id, status || '/' || version || '/' || updated_at::text AS v FROM orders WHERE id = ANY($1::uuid[])`,
    [orderIds],
  );
  const shipments = await ctx.platform.query<{ order_id: string; v: string }>(
    'shipping',
    `SELECT order_id, status || '/' || updated_at::text AS v FROM shipments WHERE order_id = ANY($1::uuid[])`,
    [orderIds],
  );
  const events = await ctx.platform.query<{ id: string }>(
    'order',
    'SELECT id FROM outbox_events WHERE key = ANY($1::text[])',
    [orderIds],
  );
  const shipmentEvents = await ctx.platform.query<{ id: string }>(
    'shipping',
    'SELECT id FROM outbox_events WHERE key = ANY($1::text[])',
    [orderIds],
  );
  const processed = new Map<string, string | number>();
  for (const [service, ids] of [
    ['shipping', events.map((e) => e.id)],
    ['order', shipmentEvents.map((e) => e.id)],
  ] as const) {
    const [row] = await ctx.platform.query<{ n: number; last: string }>(
      service,
      `SELECT count(*)::int AS n, coalesce(max(processed_at)::text, '') AS last
         FROM processed_events WHERE event_id = ANY($1::uuid[])`,
      [ids],
    );
    processed.set(`${service} (count)`, row?.n ?? 0);
    processed.set(`${service} (last processed_at)`, row?.last ?? '');
  }
  // Notifications are scored by event time: those up to the cutoff must stay as they were.
  const redisUrl = (await ctx.platform.serviceEnv('notification'))['REDIS_URL']!;
  const redis = new Redis(redisUrl, { lazyConnect: true });
  const notifications = new Map<string, number>();
  try {
    await redis.connect();
    for (const userId of customerIds) {
      notifications.set(userId, await redis.zcount(`notifications:user:${userId}`, since, cutoff));
    }
  } finally {
    redis.disconnect();
  }
  return {
    orders: new Map(orders.map((o) => [o.id, o.v])),
    shipments: new Map(shipments.map((s) => [s.order_id, s.v])),
    processed,
    notifications,
    since,
    cutoff,
  };
}

/** 7. 30 % of the payments declined during the load. */
const DECLINE_METHOD = 'chaos_decline';
const declines: Scenario = {
  id: 'payment-declines',
  title: '30 % of the payments declined (payment test controls) for 30 s (short: 15 s)',
  short: false,
  async run(ctx) {
    ctx.faultStarted();
    await ctx.platform.paymentControls([DECLINE_METHOD]);
    ctx.setLoad({ declineShare: 0.3, declineMethod: DECLINE_METHOD });
    await sleep(full(ctx) ? 30_000 : 15_000);
    ctx.setLoad({ declineShare: 0 });
    // Orders placed with the method just now are still to be authorized: let them be declined.
    await sleep(3_000);
    await ctx.platform.paymentControls([]);
    ctx.recovered();
  },
  async verify(ctx, snapshot) {
    const declined = snapshot.orders.filter((o) => o.cancel_code === 'payment_declined');
    const payments = new Map(snapshot.payments.map((p) => [p.order_id, p]));
    const violations = declined
      .filter((o) => o.status !== 'CANCELLED' || (payments.get(o.id)?.captured_minor ?? 0) > 0)
      .map(
        (o) =>
          `declined order ${o.id} is ${o.status}, captured ${payments.get(o.id)?.captured_minor}`,
      );
    if (declined.length === 0) violations.push('no order was declined');
    return [
      verdict(
        'declines-cancel',
        'declined payments cancel their orders without a capture, stock released',
        violations,
        `${declined.length} of ${snapshot.orders.length} orders declined and cancelled`,
      ),
    ];
  },
  async cleanup(ctx) {
    await ctx.platform.paymentControls([]);
  },
};

/** 8. Every service restarted one by one (SIGTERM, graceful) under load. */
const rollingRestart: Scenario = {
  id: 'rolling-restart',
  title: 'every service restarted one by one under load (graceful SIGTERM)',
  short: false,
  async run(ctx) {
    ctx.faultStarted();
    for (const service of ALL_SERVICES) await ctx.platform.cli('restart', service);
    ctx.recovered();
  },
  async verify(ctx) {
    const restarts = ctx.platform.actions.filter((a) => a.action.startsWith('restart '));
    const forced = restarts.filter((a) => /killed after the stop timeout/.test(a.output));
    return [
      verdict(
        'graceful-restarts',
        'every service stopped gracefully (no SIGKILL after the stop timeout)',
        forced.map((a) => `${a.action}: ${a.output.trim()}`),
        `${restarts.length} restarts, ${forced.length} forced`,
      ),
    ];
  },
};

// The replay runs first: it re-reads every topic's whole history, which the other scenarios grow.
export const SCENARIOS: Scenario[] = [
  baseline,
  replay,
  paymentKill,
  kafkaOutage,
  orderKills,
  inventorySlow,
  databaseLost('payment', true),
  databaseLost('shipping', false),
  declines,
  rollingRestart,
];

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}
