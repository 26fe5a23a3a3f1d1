// Readiness probes. Each resolves true/false (never throws) within its timeout.
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { REPO_ROOT } from './state.ts';

const require = createRequire(`${REPO_ROOT}/package.json`);

export function tcpOpen(port: number, timeoutMs = 1000, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

export async function httpOk(url: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.status >= 200 && res.status < 300;
  } catch {
    return false;
  }
}

/** Sends PING over RESP and expects +PONG. */
export function redisPing(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    let buf = '';
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG'));
    });
    s.once('error', () => done(false));
  });
}

// --- PostgreSQL ------------------------------------------------------------------------------

export interface PgConn {
  port: number;
  user: string;
  password: string;
  database: string;
}

interface PgClient {
  connect(): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
}

export function pgClient(c: PgConn, timeoutMs = 2000): PgClient {
  const pg = require('pg') as { Client: new (cfg: object) => PgClient };
  return new pg.Client({
    host: '127.0.0.1',
    port: c.port,
    user: c.user,
    password: c.password,
    database: c.database,
    connectionTimeoutMillis: timeoutMs,
    application_name: 'ordermesh-platform',
  });
}

/** Runs `fn` with a connected client, always closing it. */
export async function withPg<T>(
  c: PgConn,
  fn: (client: PgClient) => Promise<T>,
  timeoutMs = 2000,
): Promise<T> {
  const client = pgClient(c, timeoutMs);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Ready = accepts a login and answers SELECT 1. The error text of the last attempt is kept. */
export async function pgReady(
  c: PgConn,
  timeoutMs = 2000,
): Promise<{ ok: boolean; error?: string }> {
  try {
    await withPg(c, (cl) => cl.query('SELECT 1'), timeoutMs);
    return { ok: true };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

// --- MongoDB wire protocol (FerretDB) --------------------------------------------------------

export async function mongoPing(port: number, timeoutMs = 2000): Promise<boolean> {
  try {
    // `mongodb` comes with mongoose (not hoisted to the top of node_modules).
    const requireFromMongoose = createRequire(require.resolve('mongoose'));
    const { MongoClient } = requireFromMongoose('mongodb') as {
      MongoClient: new (
        url: string,
        opts: object,
      ) => {
        connect(): Promise<unknown>;
        db(n: string): { command(c: object): Promise<{ ok: number }> };
        close(): Promise<void>;
      };
    };
    const client = new MongoClient(`mongodb://127.0.0.1:${port}/admin`, {
      serverSelectionTimeoutMS: timeoutMs,
      connectTimeoutMS: timeoutMs,
      directConnection: true,
    });
    try {
      await client.connect();
      const res = await client.db('admin').command({ ping: 1 });
      return res.ok === 1;
    } finally {
      await client.close().catch(() => undefined);
    }
  } catch {
    return false;
  }
}

// --- Kafka -----------------------------------------------------------------------------------

export interface KafkaAdmin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  listTopics(): Promise<string[]>;
  fetchTopicMetadata(opts?: {
    topics: string[];
  }): Promise<{ topics: { name: string; partitions: unknown[] }[] }>;
  createTopics(opts: {
    topics: { topic: string; numPartitions: number; replicationFactor: number }[];
    waitForLeaders?: boolean;
    timeout?: number;
  }): Promise<boolean>;
  createPartitions(opts: { topicPartitions: { topic: string; count: number }[] }): Promise<boolean>;
}

export function kafkaAdmin(brokers: string[], timeoutMs = 3000): KafkaAdmin {
  const { Kafka, logLevel } = require('kafkajs') as {
    Kafka: new (cfg: object) => { admin(): KafkaAdmin };
    logLevel: { NOTHING: number };
  };
  const kafka = new Kafka({
    clientId: 'ordermesh-platform',
    brokers,
    connectionTimeout: Math.min(timeoutMs, 3000),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  return kafka.admin();
}

/** Ready = kafkajs admin connects and lists topics + cluster metadata. */
export async function kafkaReady(brokers: string[], timeoutMs = 3000): Promise<boolean> {
  const admin = kafkaAdmin(brokers, timeoutMs);
  try {
    await admin.connect();
    await admin.listTopics();
    await admin.fetchTopicMetadata();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
