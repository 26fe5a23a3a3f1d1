/**
 * Proves that kafkajs 2.2.4 (the client of @ordermesh/messaging) works against the platform's
 * Kafka broker (see docs/decisions/0002-kafka-version.md): topic admin, idempotent produce,
 * consume in a group, a rebalance when a second member joins, committed offsets read back with
 * admin.fetchOffsets and honoured by a member that joins later, and transactions.
 */
import { randomUUID } from 'node:crypto';
import {
  Kafka,
  logLevel,
  Partitioners,
  type Admin,
  type Consumer,
  type EachMessagePayload,
  type Producer,
} from 'kafkajs';
import { waitUntil } from '@ordermesh/testing';
import { connection } from '../support/connection-env';

interface Received {
  consumer: string;
  partition: number;
  offset: string;
  key: string;
  value: string;
}

const run = randomUUID().slice(0, 8);

/** Partitions of `topic` assigned to a member at its latest join. */
function lastJoin(joins: Record<string, number[][]>, member: string): number[] {
  return joins[member]?.at(-1) ?? [];
}
const topic = `e2e.kafkajs-compat.${run}.v1`;
const groupId = `e2e-kafkajs-compat-${run}`;

describe('kafkajs 2.2.4 against the platform Kafka', () => {
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    kafka = new Kafka({
      clientId: `kafkajs-compat-${run}`,
      brokers: connection.kafka.brokers,
      logLevel: logLevel.ERROR,
      // kafkajs logs the broker's REBALANCE_IN_PROGRESS answer to heartbeats as an error: that is
      // how a member learns of a rebalance, which this spec causes on purpose.
      logCreator:
        () =>
        ({ log }) => {
          if (/rebalancing/.test(String(log['error'] ?? ''))) return;
          console.error(JSON.stringify(log));
        },
      retry: { retries: 5, initialRetryTime: 200 },
    });
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
  });

  afterAll(async () => {
    await Promise.allSettled(consumers.map((c) => c.disconnect()));
    await producer?.disconnect();
    await admin?.deleteGroups([groupId]).catch(() => undefined);
    await admin?.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin?.disconnect();
  });

  function newConsumer(name: string, joins: Record<string, number[][]>): Consumer {
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 500,
      rebalanceTimeout: 20_000,
      retry: { retries: 5, initialRetryTime: 200 },
    });
    joins[name] = [];
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      (joins[name] ??= []).push(e.payload.memberAssignment[topic] ?? []);
    });
    consumers.push(consumer);
    return consumer;
  }

  async function start(consumer: Consumer, name: string, sink: Received[]): Promise<void> {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }: EachMessagePayload) => {
        await consumer.commitOffsets([
          { topic, partition, offset: String(Number(message.offset) + 1) },
        ]);
        // Recorded once committed: a test that waits for N records can rebalance right after.
        sink.push({
          consumer: name,
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? '',
          value: message.value?.toString() ?? '',
        });
      },
    });
  }

  async function produce(batch: string, count: number): Promise<void> {
    await producer.send({
      topic,
      messages: Array.from({ length: count }, (_, i) => ({
        key: `key-${i}`,
        value: `${batch}-${i}`,
        headers: { batch },
      })),
    });
  }

  it('creates a topic with explicit partitions and reads its metadata', async () => {
    const created = await admin.createTopics({
      topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    expect(created).toBe(true);
    expect(await admin.listTopics()).toContain(topic);
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]?.partitions).toHaveLength(3);
  });

  it('consumes in a group, rebalances onto a second member and commits offsets', async () => {
    const received: Received[] = [];
    const joins: Record<string, number[][]> = {};

    // 1) idempotent produce, one member consumes everything
    await produce('first', 30);
    const a = newConsumer('a', joins);
    await start(a, 'a', received);
    await waitUntil(() => received.length >= 30, 'member a to consume the first 30 messages');
    expect(lastJoin(joins, 'a').sort()).toEqual([0, 1, 2]);
    expect(new Set(received.map((r) => r.value)).size).toBe(30);

    // 2) a second member joins: the group rebalances and splits the 3 partitions
    const b = newConsumer('b', joins);
    await start(b, 'b', received);
    await waitUntil(
      () => {
        const lastA = lastJoin(joins, 'a');
        const lastB = lastJoin(joins, 'b');
        return (
          (joins['a']?.length ?? 0) >= 2 &&
          lastB.length > 0 &&
          lastA.length > 0 &&
          lastA.length + lastB.length === 3
        );
      },
      'the rebalance to assign partitions to both members',
      45_000,
    );
    const partsA = lastJoin(joins, 'a');
    const partsB = lastJoin(joins, 'b');
    expect([...partsA, ...partsB].sort()).toEqual([0, 1, 2]);

    // 3) after the rebalance, new messages go to the member owning their partition
    await produce('second', 30);
    await waitUntil(
      () => received.filter((r) => r.value.startsWith('second-')).length >= 30,
      'both members to consume the second 30 messages',
    );
    const second = received.filter((r) => r.value.startsWith('second-'));
    expect(new Set(second.map((r) => r.value)).size).toBe(30);
    for (const r of second) {
      expect(r.consumer === 'a' ? partsA : partsB).toContain(r.partition);
    }
    // Nothing from the first batch is consumed twice: committed offsets were honoured.
    expect(received.filter((r) => r.value.startsWith('first-'))).toHaveLength(30);

    // 4) committed offsets, read back by the admin client, equal the log end offsets
    const ends = await admin.fetchTopicOffsets(topic);
    const endOf = (p: number): string | undefined => ends.find((e) => e.partition === p)?.offset;
    await waitUntil(async () => {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return (committed?.partitions ?? []).every((p) => p.offset === endOf(p.partition));
    }, 'committed offsets to reach the end of every partition');
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(committed?.partitions).toHaveLength(3);
    const total = (committed?.partitions ?? []).reduce((n, p) => n + Number(p.offset), 0);
    expect(total).toBe(60);

    const described = await admin.describeGroups([groupId]);
    expect(described.groups[0]?.state).toBe('Stable');
    expect(described.groups[0]?.members).toHaveLength(2);

    // 5) every member leaves; a new member resumes from the committed offsets
    await a.disconnect();
    await b.disconnect();
    const later: Received[] = [];
    const c = newConsumer('c', joins);
    await start(c, 'c', later);
    await waitUntil(() => lastJoin(joins, 'c').length === 3, 'member c to own every partition');
    await produce('third', 3);
    await waitUntil(() => later.length >= 3, 'member c to consume the third batch');
    await new Promise((r) => setTimeout(r, 1000));
    expect(later.map((r) => r.value).sort()).toEqual(['third-0', 'third-1', 'third-2']);
    await c.disconnect();
  });

  it('commits a transaction that a read_committed consumer sees', async () => {
    // Right after a commit the coordinator may still be completing it: the next transaction's
    // first AddPartitionsToTxn gets CONCURRENT_TRANSACTIONS, which kafkajs retries (and logs as an
    // error). That is normal broker behaviour, so this client logs nothing.
    const quiet = new Kafka({
      clientId: `kafkajs-compat-tx-${run}`,
      brokers: connection.kafka.brokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 8, initialRetryTime: 100 },
    });
    const txProducer = quiet.producer({
      transactionalId: `e2e-kafkajs-compat-tx-${run}`,
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await txProducer.connect();
    try {
      const tx = await txProducer.transaction();
      await tx.send({ topic, messages: [{ key: 'tx', value: 'in-transaction' }] });
      await tx.commit();
      const aborted = await txProducer.transaction();
      await aborted.send({ topic, messages: [{ key: 'tx', value: 'aborted' }] });
      await aborted.abort();
    } finally {
      await txProducer.disconnect();
    }

    const seen: string[] = [];
    const reader = kafka.consumer({
      groupId: `${groupId}-tx`,
      readUncommitted: false,
      sessionTimeout: 10_000,
      heartbeatInterval: 500,
    });
    consumers.push(reader);
    await reader.connect();
    await reader.subscribe({ topics: [topic], fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value?.toString() ?? '');
      },
    });
    await waitUntil(() => seen.includes('in-transaction'), 'the committed transactional message');
    await new Promise((r) => setTimeout(r, 1000));
    expect(seen).not.toContain('aborted');
    await reader.disconnect();
    await admin.deleteGroups([`${groupId}-tx`]).catch(() => undefined);
  });
});
