import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { E2E_PROFILE, REPO_ROOT } from '@ordermesh/testing';
import { newCustomer, orderableProduct, placeOrder } from '../observability/support';

/**
 * `make tail TOPIC=…` (`ordermesh tail`): Kafka's console consumer from the platform's jars,
 * printing a topic's events as they arrive, one JSON object per line with type, key and headers.
 */

const CLI = path.join(REPO_ROOT, 'tools/platform/bin/ordermesh.mjs');

interface Tailed {
  time: string;
  topic: string;
  partition: number;
  offset: number;
  key: string;
  type: string;
  headers: Record<string, string>;
  value: { id: string; type: string; key: string; data: { orderId?: string } };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function tail(args: string[]): { done: Promise<Run>; exited: () => boolean } {
  const child = spawn(process.execPath, [CLI, 'tail', ...args, '--profile', E2E_PROFILE], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let exited = false;
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolve) =>
    child.on('close', (code) => {
      exited = true;
      resolve({ code, stdout, stderr });
    }),
  );
  return { done, exited: () => exited };
}

const lines = (stdout: string): Tailed[] =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Tailed);

describe('ordermesh tail (make tail)', () => {
  it('refuses an unknown topic and lists the topics', () => {
    const r = spawnSync(process.execPath, [CLI, 'tail', 'order.misplaced.v1'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('unknown topic "order.misplaced.v1"');
    expect(r.stderr).toMatch(/topics: .*order\.placed\.v1, order\.placed\.v1\.dlq/);
  });

  it('prints an order placed while it runs (from the latest offset), decoded, and stops at MAX', async () => {
    const customer = await newCustomer();
    const productId = await orderableProduct();
    const run = tail(['order.placed.v1', '--max', '1', '--timeout', '90']);
    // The consumer joins from the latest offset once its JVM is up: place orders until it saw one.
    const placed: string[] = [];
    while (!run.exited() && placed.length < 30) {
      await new Promise((resolve) => setTimeout(resolve, 3000));
      if (!run.exited()) placed.push((await placeOrder(customer, productId)).id);
    }
    const r = await run.done;
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    const events = lines(r.stdout);
    expect(events).toHaveLength(1);
    const [event] = events as [Tailed];
    expect(placed).toContain(event.key);
    expect(event).toMatchObject({
      topic: 'order.placed.v1',
      type: 'order.placed.v1',
      key: event.value.data.orderId,
      value: { type: 'order.placed.v1', key: event.key },
    });
    expect(new Date(event.time).getTime()).toBeGreaterThan(Date.now() - 120_000);
    expect(event.partition).toBeGreaterThanOrEqual(0);
    expect(event.offset).toBeGreaterThanOrEqual(0);
    // The trace context travels in the record headers.
    expect(event.headers['event-type']).toBe('order.placed.v1');
    expect(event.headers['traceparent']).toMatch(/^00-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/);
  }, 150_000);

  it('FROM=beginning replays what is already there; a timeout bounds a tail that sees too little', async () => {
    const r = await tail([
      'order.placed.v1',
      '--from',
      'beginning',
      '--max',
      '2',
      '--timeout',
      '60',
    ]).done;
    expect(r.code).toBe(0);
    expect(lines(r.stdout).map((e) => e.type)).toEqual(['order.placed.v1', 'order.placed.v1']);
    const started = Date.now();
    const quiet = await tail(['user.registered.v1.dlq', '--max', '1', '--timeout', '8']).done;
    expect(quiet.code).toBe(1);
    expect(quiet.stderr).toContain('0 of 1 event(s) of user.registered.v1.dlq arrived within 8 s');
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 120_000);
});
