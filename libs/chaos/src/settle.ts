// Waiting for a system under test to come to rest after a scenario, through its AuditSource.
import { AUDITED_SERVICES, type AuditSource } from './invariants';
import { sleep } from './load-driver';

export interface OrderScope {
  customerIds: string[];
  /** Epoch ms: orders created since then belong to the scenario. */
  since: number;
}

/**
 * Polls order_svc until every order of the scope is final (saga DONE) and every accepted order is
 * there, at most until `deadline` (epoch ms). Returns whether that happened.
 */
export async function waitForSettled(
  source: AuditSource,
  scope: OrderScope,
  accepted: string[],
  deadline: number,
): Promise<boolean> {
  for (;;) {
    try {
      const [row] = await source.query<{ open: number; present: number }>(
        'order',
        `SELECT count(*) FILTER (WHERE saga_state <> 'DONE')::int AS open,
                count(*) FILTER (WHERE id = ANY($3::uuid[]))::int AS present
           FROM orders WHERE (customer_id = ANY($1::uuid[]) AND created_at >= $2) OR id = ANY($3::uuid[])`,
        [scope.customerIds, new Date(scope.since - 1_000).toISOString(), accepted],
      );
      if (row && row.open === 0 && row.present === accepted.length) return true;
    } catch {
      // order's database unreachable right now
    }
    if (Date.now() > deadline) return false;
    await sleep(1_000);
  }
}

/** Which of `keys` (idempotency keys of the scope's customers) created an order: key → id. */
export async function createdOrders(
  source: AuditSource,
  customerIds: string[],
  keys: string[],
): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const rows = await source.query<{ key: string; order_id: string }>(
    'order',
    `SELECT k.key, k.order_id FROM idempotency_keys k JOIN orders o ON o.id = k.order_id
      WHERE k.customer_id = ANY($1::uuid[]) AND k.key = ANY($2::text[])`,
    [customerIds, keys],
  );
  return new Map(rows.map((r) => [r.key, r.order_id]));
}

/** Waits until no order saga is in flight (an earlier scenario's must not spill into the next). */
export async function waitForSagas(source: AuditSource, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const [row] = await source.query<{ n: number }>(
        'order',
        `SELECT count(*)::int AS n FROM orders WHERE saga_state <> 'DONE'`,
      );
      if ((row?.n ?? 0) === 0) return;
    } catch {
      // order's database unreachable right now
    }
    if (Date.now() > deadline) return;
    await sleep(1_000);
  }
}

/**
 * Waits until every outbox is drained and every service's consumer group caught up; `onError`
 * runs after a failed look (e.g. to reconnect a Kafka admin after the broker restarted).
 */
export async function waitForEvents(
  source: AuditSource,
  timeoutMs: number,
  onError: () => Promise<void> = async () => undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      let pending = 0;
      for (const service of AUDITED_SERVICES) {
        const [row] = await source.query<{ n: number }>(
          service,
          'SELECT count(*)::int AS n FROM outbox_events WHERE published_at IS NULL',
        );
        pending += row?.n ?? 0;
      }
      for (const group of await source.serviceGroups()) pending += await source.groupLag(group);
      if (pending === 0) return;
    } catch {
      await onError();
    }
    if (Date.now() > deadline) return;
    await sleep(1_000);
  }
}
