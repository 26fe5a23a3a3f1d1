// The replay rate of a consumer group rewound to the start: the service is stopped, its group
// moved to the earliest offset of every topic it consumes (the chaos suite's rewind-group.mjs),
// the service started again; then its committed offsets are polled until they reach the end
// offsets the topics had at the restart. Replayed events are duplicates to the idempotent
// consumer (processed_events), which is what a rewind costs in production too.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { Platform } from '../platform/index.ts';
import { kafkajs } from './baselines/drivers.ts';

const run = promisify(execFile);

export interface ReplayReport {
  group: string;
  topics: string[];
  /** Records between the earliest and the end offsets at the restart. */
  records: number;
  /** Records re-read before the deadline (all of them when caught up). */
  replayed: number;
  caughtUp: boolean;
  /** From the service's readiness to caught up (includes the group's join). */
  sinceReadyMs: number;
  /** From the first committed progress to caught up: the rate excludes the join. */
  sinceFirstProgressMs: number;
  eventsPerSecond: number;
}

export async function replayRate(
  p: Platform,
  root: string,
  group: string,
  budgetMs: number,
  log: (line: string) => void,
): Promise<ReplayReport> {
  const { Kafka, logLevel } = kafkajs();
  const brokers = p.connectionInfo().kafka.brokers;
  const kafka = new Kafka({ clientId: 'bench-replay', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await p.stop(group);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [described] = (await admin.describeGroups([group])).groups;
      if (!described || described.state === 'Empty' || described.state === 'Dead') break;
      if (Date.now() > deadline) throw new Error(`group ${group} still ${described.state}`);
      await sleep(500);
    }
    const script = path.join(root, 'apps/platform-e2e/src/chaos/rewind-group.mjs');
    const { stdout } = await run(process.execPath, [script, brokers.join(','), group], {
      cwd: root,
    });
    const topics = (JSON.parse(stdout) as { topics: string[] }).topics;
    const targets = new Map<string, number>();
    for (const topic of topics) {
      for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
        targets.set(`${topic}:${partition}`, Number(high));
      }
    }
    const behind = async () => {
      const committed = new Map<string, number>();
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId: group, topics })) {
        for (const part of partitions) {
          committed.set(`${topic}:${part.partition}`, Math.max(0, Number(part.offset)));
        }
      }
      let total = 0;
      for (const [key, target] of targets) total += Math.max(0, target - (committed.get(key) ?? 0));
      return total;
    };
    const records = await behind();
    log(`replay: ${group} rewound, ${records} records on ${topics.join(', ')}`);
    await p.start(group);
    const ready = performance.now();
    let first: { at: number; behind: number } | null = null;
    let left = records;
    while (left > 0 && performance.now() - ready < budgetMs) {
      await sleep(250);
      left = await behind();
      if (first === null && left < records) first = { at: performance.now(), behind: left };
    }
    const end = performance.now();
    const sinceFirstProgressMs = first ? end - first.at : 0;
    const replayed = records - left;
    return {
      group,
      topics,
      records,
      replayed,
      caughtUp: left === 0,
      sinceReadyMs: end - ready,
      sinceFirstProgressMs,
      // Counted from the first progress: what was re-read after it, over the time since.
      eventsPerSecond:
        first && first.behind > 0 && sinceFirstProgressMs > 0
          ? (first.behind - left) / (sinceFirstProgressMs / 1000)
          : replayed / ((end - ready) / 1000),
    };
  } finally {
    if (p.pidOf(group) === null) await p.start(group).catch(() => undefined);
    await admin.disconnect();
  }
}
