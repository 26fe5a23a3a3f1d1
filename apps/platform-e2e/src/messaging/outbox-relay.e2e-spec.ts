/**
 * @ordermesh/messaging against the platform's real Kafka and PostgreSQL: the transactional outbox
 * publishes exactly what committed (once, in order, marked), processOnce absorbs redelivery, a
 * poison record goes to `<topic>.dlq` without blocking the records behind it on its partition, and
 * the retention sweep (@ordermesh/persistence) removes only what expired.
 *
 * Isolation: a scratch database per run (created with E2E_POSTGRES_URL, the superuser) and topics
 * and consumer groups named after the run, so nothing here reaches the services' consumers.
 */
import { randomUUID } from 'node:crypto';
import {
  type EventEnvelope,
  type EventType,
  USER_REGISTERED_V1,
  createEvent,
} from '@ordermesh/contracts';
import {
  type ConsumerHandle,
  EventConsumer,
  EventPublisher,
  KafkaClients,
  MESSAGING_ENTITIES,
  MESSAGING_MIGRATIONS,
  Outbox,
  OutboxRelay,
  ensureTopics,
  headerValue,
  processOnce,
} from '@ordermesh/messaging';
import { PostgresRetention, deleteExpired } from '@ordermesh/persistence';
import type { Consumer, KafkaMessage } from 'kafkajs';
import { Client } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { waitUntil } from '@ordermesh/testing';
import { connection } from '../support/connection-env';

const run = randomUUID().slice(0, 8);
const database = `messaging_e2e_${run}`;
/** Events relayed from the outbox are re-routed here (see `addEvent`). */
const relayTopic = `e2e.messaging-${run}.user.registered.v1`;
/** A single partition, so "the next record on the partition" is simply the next record. */
const consumeTopic = `e2e.messaging-${run}.consume.v1`;

interface Received {
  id: string;
  key: string;
  partition: number;
  offset: string;
  headers: Record<string, string | undefined>;
}

function userRegistered(overrides: { userId?: string; name?: string } = {}) {
  return {
    userId: overrides.userId ?? randomUUID(),
    email: `ada-${randomUUID().slice(0, 6)}@example.com`,
    name: overrides.name ?? 'Ada',
    role: 'CUSTOMER' as const,
    registeredAt: new Date().toISOString(),
  };
}

function scratchUrl(superuserUrl: string): string {
  const url = new URL(superuserUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: process.env['E2E_POSTGRES_URL'] });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('messaging: outbox relay, idempotent consumer and DLQ on the real platform', () => {
  let dataSource: DataSource;
  let clients: KafkaClients;
  let publisher: EventPublisher;
  let relay: OutboxRelay;
  let outbox: Outbox;
  let consumers: EventConsumer;
  let observer: Consumer;
  const relayed: Received[] = [];
  const deadLetters: Received[] = [];

  beforeAll(async () => {
    if (!process.env['E2E_POSTGRES_URL']) throw new Error('E2E_POSTGRES_URL is not set');
    await admin(`CREATE DATABASE ${database}`);
    dataSource = new DataSource({
      type: 'postgres',
      url: scratchUrl(process.env['E2E_POSTGRES_URL']),
      entities: MESSAGING_ENTITIES,
      migrations: MESSAGING_MIGRATIONS,
      migrationsRun: true,
      synchronize: false,
    });
    await dataSource.initialize();
    await dataSource.query(`CREATE TABLE accounts (id uuid PRIMARY KEY, name text NOT NULL)`);
    await dataSource.query(
      `CREATE TABLE effects (event_id uuid NOT NULL, consumer text NOT NULL, at timestamptz NOT NULL DEFAULT now())`,
    );

    clients = new KafkaClients({
      clientId: `messaging-e2e-${run}`,
      brokers: connection.kafka.brokers,
    });
    await ensureTopics(clients.kafka, [
      { name: relayTopic, partitions: 3 },
      { name: consumeTopic, partitions: 1 },
    ]);
    publisher = new EventPublisher(clients.sender());
    relay = new OutboxRelay(dataSource, publisher, { pollIntervalMs: 100 });
    outbox = new Outbox({ source: 'user', relay });
    consumers = new EventConsumer({ kafka: clients.kafka, publisher });

    // A plain kafkajs consumer records what actually reached the topics.
    observer = clients.kafka.consumer({ groupId: `messaging-e2e-observer-${run}` });
    await observer.connect();
    await observer.subscribe({
      topics: [relayTopic, `${consumeTopic}.dlq`],
      fromBeginning: true,
    });
    const joined = new Promise<void>((resolve) =>
      observer.on(observer.events.GROUP_JOIN, () => resolve()),
    );
    await observer.run({
      eachMessage: async ({ topic, partition, message }) => {
        (topic === relayTopic ? relayed : deadLetters).push(received(partition, message));
      },
    });
    await joined;
    relay.start();
  });

  afterAll(async () => {
    await consumers?.stop();
    await relay?.stop();
    await observer?.disconnect();
    if (clients) {
      const kafkaAdmin = clients.kafka.admin({ retry: { retries: 1 } });
      await kafkaAdmin.connect();
      await kafkaAdmin
        .deleteTopics({
          topics: [relayTopic, `${relayTopic}.dlq`, consumeTopic, `${consumeTopic}.dlq`],
        })
        .catch(() => undefined);
      await kafkaAdmin.disconnect();
      await clients.close();
    }
    await dataSource?.destroy();
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
  });

  function received(partition: number, message: KafkaMessage): Received {
    const headers: Record<string, string | undefined> = {};
    for (const name of Object.keys(message.headers ?? {})) {
      headers[name] = headerValue(message.headers, name);
    }
    return {
      id: eventId(message.value) ?? headers['event-id'] ?? '',
      key: message.key?.toString() ?? '',
      partition,
      offset: message.offset,
      headers,
    };
  }

  /** The envelope id of a record value; undefined for the poison record, which is not JSON. */
  function eventId(value: Buffer | null): string | undefined {
    try {
      return (JSON.parse(value?.toString() ?? 'null') as { id?: string } | null)?.id;
    } catch {
      return undefined;
    }
  }

  /** Outbox.add, with the row re-routed to this run's topic (in the same transaction). */
  async function addEvent(
    manager: EntityManager,
    data: ReturnType<typeof userRegistered>,
  ): Promise<EventEnvelope<typeof USER_REGISTERED_V1>> {
    const envelope = await outbox.add(manager, USER_REGISTERED_V1, data);
    await manager.query('UPDATE outbox_events SET topic = $1 WHERE id = $2', [
      relayTopic,
      envelope.id,
    ]);
    return envelope;
  }

  async function publishedAt(ids: string[]): Promise<(Date | null)[]> {
    const rows: { id: string; published_at: Date | null }[] = await dataSource.query(
      'SELECT id, published_at FROM outbox_events WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return ids.map((id) => rows.find((r) => r.id === id)?.published_at ?? null);
  }

  it('publishes the events of a committed transaction once, in order, and marks them', async () => {
    const userId = randomUUID();
    const ids = await dataSource.transaction(async (manager) => {
      await manager.query('INSERT INTO accounts (id, name) VALUES ($1, $2)', [userId, 'Ada']);
      const out: string[] = [];
      for (const name of ['first', 'second', 'third']) {
        out.push((await addEvent(manager, userRegistered({ userId, name }))).id);
      }
      return out;
    });
    // No notify(): the commit itself wakes the relay.
    await waitUntil(
      () => ids.every((id) => relayed.some((r) => r.id === id)),
      'relayed events',
      15_000,
    );

    const mine = relayed.filter((r) => ids.includes(r.id));
    expect(mine.map((r) => r.id)).toEqual(ids);
    expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
    for (const r of mine) {
      expect(r.key).toBe(userId);
      expect(r.headers).toMatchObject({ 'event-id': r.id, 'event-type': USER_REGISTERED_V1 });
    }
    await waitUntil(async () => (await publishedAt(ids)).every(Boolean), 'published_at set');

    // Several more relay rounds: nothing is published a second time.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(relayed.filter((r) => ids.includes(r.id))).toHaveLength(3);
    await expect(relay.refreshMetrics()).resolves.toMatchObject({ backlog: 0 });
  });

  it('lets only the holder of the relay lock claim: another relay round publishes nothing', async () => {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      // Another replica's relay, mid-round: it holds the lock in its open transaction.
      await runner.startTransaction();
      await runner.query(`SELECT pg_advisory_xact_lock(hashtext('ordermesh.outbox_relay'))`);
      const pending = await dataSource.transaction((manager) =>
        addEvent(manager, userRegistered()),
      );
      await expect(relay.relayOnce()).resolves.toEqual({
        published: 0,
        more: false,
        contended: true,
      });
      expect(await publishedAt([pending.id])).toEqual([null]);
      await runner.commitTransaction();
      outbox.notify();
      await waitUntil(async () => (await publishedAt([pending.id]))[0] !== null, 'published_at');
    } finally {
      await runner.release();
    }
  });

  it('publishes nothing for a rolled-back transaction', async () => {
    let rolledBack = '';
    await expect(
      dataSource.transaction(async (manager) => {
        rolledBack = (await addEvent(manager, userRegistered())).id;
        throw new Error('business rule violated');
      }),
    ).rejects.toThrow('business rule violated');

    // A later committed event proves the relay has moved past the point where it would have been.
    const marker = await dataSource.transaction((manager) => addEvent(manager, userRegistered()));
    outbox.notify();
    await waitUntil(() => relayed.some((r) => r.id === marker.id), 'the marker event', 15_000);
    expect(relayed.some((r) => r.id === rolledBack)).toBe(false);
    const rows: unknown[] = await dataSource.query('SELECT 1 FROM outbox_events WHERE id = $1', [
      rolledBack,
    ]);
    expect(rows).toHaveLength(0);
  });

  it('keeps events while Kafka is unreachable and publishes them once it is back', async () => {
    // A relay whose producer cannot reach any broker (nothing listens on port 1).
    const offline = new KafkaClients({
      clientId: `messaging-e2e-offline-${run}`,
      brokers: ['127.0.0.1:1'],
    });
    const stalled = new OutboxRelay(dataSource, new EventPublisher(offline.sender()));
    await relay.stop();
    try {
      const event = await dataSource.transaction((manager) => addEvent(manager, userRegistered()));
      const result = await stalled.relayOnce();
      expect(result.published).toBe(0);
      expect(result.error).toBeDefined();
      expect(await publishedAt([event.id])).toEqual([null]);

      relay.start();
      await waitUntil(() => relayed.some((r) => r.id === event.id), 'the held event', 15_000);
      await waitUntil(async () => (await publishedAt([event.id]))[0] !== null, 'published_at');
    } finally {
      relay.start();
      await offline.close();
    }
  });

  describe('consumers', () => {
    const handles: ConsumerHandle[] = [];
    const group = `messaging-e2e-${run}`;

    afterAll(async () => {
      await Promise.all(handles.map((h) => h.stop()));
    });

    it('processes a redelivered event once (processOnce) and dead-letters poison without blocking', async () => {
      const outcomes: { id: string; outcome: string }[] = [];
      const failing = randomUUID();
      const handle = consumers.consume({
        groupId: group,
        // An e2e topic is not a catalogue type; records are still validated as envelopes.
        topics: [consumeTopic as EventType],
        retry: { attempts: 3, baseMs: 20, capMs: 50 },
        handle: async (event) => {
          if (event.type === USER_REGISTERED_V1 && event.data.userId === failing) {
            throw new Error('handler always fails for this user');
          }
          const outcome = await processOnce(dataSource, group, event.id, async (manager) => {
            await manager.query('INSERT INTO effects (event_id, consumer) VALUES ($1, $2)', [
              event.id,
              group,
            ]);
          });
          outcomes.push({ id: event.id, outcome });
          return outcome;
        },
      });
      handles.push(handle);
      await handle.joined;

      const valid = createEvent(USER_REGISTERED_V1, userRegistered(), { source: 'user' });
      const doomed = createEvent(USER_REGISTERED_V1, userRegistered({ userId: failing }), {
        source: 'user',
      });
      const after = createEvent(USER_REGISTERED_V1, userRegistered(), { source: 'user' });
      // The same event twice (as after a relay crash between send and mark), then a record that
      // is not JSON, one whose handler always fails, and one more valid event behind them.
      await publisher.publish(valid, consumeTopic);
      await publisher.publish(valid, consumeTopic);
      await publisher.publishRaw(consumeTopic, {
        key: 'poison',
        value: '{"this is": not json',
        headers: { 'event-id': 'poison-1' },
      });
      await publisher.publish(doomed, consumeTopic);
      await publisher.publish(after, consumeTopic);

      await waitUntil(
        () => outcomes.some((o) => o.id === after.id),
        'the record after the poison',
        20_000,
      );
      expect(outcomes).toEqual([
        { id: valid.id, outcome: 'processed' },
        { id: valid.id, outcome: 'duplicate' },
        { id: after.id, outcome: 'processed' },
      ]);
      const effects: { event_id: string }[] = await dataSource.query(
        'SELECT event_id FROM effects WHERE consumer = $1 ORDER BY at',
        [group],
      );
      expect(effects.map((e) => e.event_id)).toEqual([valid.id, after.id]);

      await waitUntil(() => deadLetters.length >= 2, 'two dead letters', 15_000);
      const [poison, exhausted] = deadLetters;
      expect(poison?.key).toBe('poison');
      expect(poison?.headers).toMatchObject({
        'event-id': 'poison-1',
        'dlq-original-topic': consumeTopic,
        'dlq-original-partition': '0',
        'dlq-original-offset': '2',
        'dlq-consumer-group': group,
      });
      expect(poison?.headers['dlq-reason']).toMatch(/^invalid event: .*JSON/);
      expect(Date.parse(poison?.headers['dlq-failed-at'] ?? '')).not.toBeNaN();
      expect(exhausted?.id).toBe(doomed.id);
      expect(exhausted?.headers).toMatchObject({
        'dlq-original-offset': '3',
        'dlq-reason': 'handler failed after 3 attempts: handler always fails for this user',
      });

      // Every record, the poison included, is committed: nothing will be redelivered.
      const kafkaAdmin = await clients.admin.get();
      await waitUntil(
        async () => {
          const [offsets] = await kafkaAdmin.fetchOffsets({
            groupId: group,
            topics: [consumeTopic],
          });
          return offsets?.partitions[0]?.offset === '5';
        },
        'committed offset 5',
        10_000,
      );
    });
  });

  it('deletes published outbox rows and processed-event marks past their retention, and nothing else', async () => {
    const HOUR = 3_600_000;
    const ids = {
      publishedLongAgo: randomUUID(),
      publishedJustNow: randomUUID(),
      unpublishedLongAgo: randomUUID(),
      markOld: randomUUID(),
      markRecent: randomUUID(),
    };
    const outboxRow = (id: string, createdHoursAgo: number, publishedHoursAgo: number | null) =>
      dataSource.query(
        `INSERT INTO outbox_events (id, topic, key, envelope, created_at, published_at)
         VALUES ($1, 'e2e.retention', 'k', '{}', now() - $2 * interval '1 hour',
                 now() - $3 * interval '1 hour')`,
        [id, createdHoursAgo, publishedHoursAgo],
      );
    await outboxRow(ids.publishedLongAgo, 3, 2);
    await outboxRow(ids.publishedJustNow, 3, 0);
    // Never published (e.g. Kafka down for hours): it must survive any retention.
    await outboxRow(ids.unpublishedLongAgo, 3, null);
    await dataSource.query(
      `INSERT INTO processed_events (consumer, event_id, processed_at)
       VALUES ('e2e-retention', $1, now() - interval '15 days'), ('e2e-retention', $2, now())`,
      [ids.markOld, ids.markRecent],
    );
    // Keep the relay off the unpublished row for this test.
    await relay.stop();
    try {
      const retention = new PostgresRetention(dataSource);
      retention.register({ table: 'outbox_events', timeColumn: 'published_at', retentionMs: HOUR });
      retention.register({
        table: 'processed_events',
        timeColumn: 'processed_at',
        retentionMs: 14 * 24 * HOUR,
      });
      const deleted = await retention.sweep();

      const outboxIds: { id: string }[] = await dataSource.query(
        `SELECT id FROM outbox_events WHERE topic = 'e2e.retention'`,
      );
      expect(outboxIds.map((r) => r.id).sort()).toEqual(
        [ids.publishedJustNow, ids.unpublishedLongAgo].sort(),
      );
      const marks: { event_id: string }[] = await dataSource.query(
        `SELECT event_id FROM processed_events WHERE consumer = 'e2e-retention'`,
      );
      expect(marks.map((r) => r.event_id)).toEqual([ids.markRecent]);
      // Earlier tests' rows were published just now: only this test's old rows went.
      expect(deleted).toEqual({ outbox_events: 1, processed_events: 1 });
    } finally {
      await dataSource.query(`DELETE FROM outbox_events WHERE topic = 'e2e.retention'`);
      relay.start();
    }
  });

  it('deletes a backlog of expired rows in bounded batches', async () => {
    await dataSource.query(
      `INSERT INTO processed_events (consumer, event_id, processed_at)
       SELECT 'e2e-batches', gen_random_uuid(), now() - interval '30 days' FROM generate_series(1, 5)`,
    );
    const expiring = { table: 'processed_events', timeColumn: 'processed_at', retentionMs: 60_000 };
    expect(await deleteExpired(dataSource, expiring, 3)).toBe(3);
    expect(await deleteExpired(dataSource, expiring, 3)).toBe(2);
    expect(await deleteExpired(dataSource, expiring, 3)).toBe(0);
  });
});
