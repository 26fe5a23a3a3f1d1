import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FaultServiceClient, PaymentServiceClient } from '@ordermesh/contracts';
import { REPO_ROOT, ordermeshJson, ordermeshOutput } from '@ordermesh/testing';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { Client, Pool } from 'pg';
import {
  AUDITED_SERVICES,
  deadLetterCounts,
  groupLag,
  serviceGroups,
  type ActionRecord,
  type AuditSource,
  type AuditedService,
} from '@ordermesh/chaos';
import { connection } from '../support/connection-env';
import { directClient } from '../support/grpc';

const execFileAsync = promisify(execFile);

/** The PostgreSQL services whose databases the checker reads. */
export const PG_SERVICES = AUDITED_SERVICES;
export type PgService = AuditedService;

/** Every service of the platform, in the order `up` starts them. */
export const ALL_SERVICES = [
  'user',
  'product',
  'inventory',
  'pricing',
  'payment',
  'shipping',
  'notification',
  'order',
  'gateway',
] as const;

/** The platform under test: CLI actions, fault controls, databases, Kafka. */
export class Platform implements AuditSource {
  readonly actions: ActionRecord[] = [];
  private readonly pools = new Map<string, Pool>();
  private kafka = new Kafka({
    clientId: 'chaos-suite',
    brokers: connection.kafka.brokers,
    logLevel: process.env['CHAOS_KAFKA_LOG'] ? logLevel.INFO : logLevel.NOTHING,
    retry: { retries: 2 },
  });
  private adminClient: Admin | undefined;

  constructor(
    private readonly t0: () => number,
    /** Progress lines (stdout): a long chaos run shows where it is. */
    readonly log: (message: string) => void = () => undefined,
  ) {}

  /** Runs `npx ordermesh <args> --profile test` and records it in the scenario's action log. */
  async cli(...args: string[]): Promise<ActionRecord> {
    const at = this.t0();
    const started = Date.now();
    let output = '';
    let ok = true;
    this.log(`ordermesh ${args.join(' ')}`);
    try {
      const { stdout, stderr } = await ordermeshOutput(...args);
      output = `${stdout}${stderr}`;
    } catch (error) {
      ok = false;
      const failed = error as { stdout?: string; stderr?: string; message: string };
      output = `${failed.stdout ?? ''}${failed.stderr ?? failed.message}`;
    }
    const record = { action: args.join(' '), at, tookMs: Date.now() - started, output, ok };
    this.actions.push(record);
    if (!ok) throw new Error(`ordermesh ${record.action} failed: ${output.trim()}`);
    return record;
  }

  /** Steps of the clean-up between scenarios are not part of a scenario's timeline. */
  quiet = false;

  /** Records a step that is not a CLI call (SQL, gRPC controls). */
  async step<T>(action: string, fn: () => Promise<T>): Promise<T> {
    if (this.quiet) return fn();
    const at = this.t0();
    const started = Date.now();
    this.log(action);
    try {
      const result = await fn();
      this.actions.push({ action, at, tookMs: Date.now() - started, output: '', ok: true });
      return result;
    } catch (error) {
      const output = (error as Error).message;
      this.actions.push({ action, at, tookMs: Date.now() - started, output, ok: false });
      throw error;
    }
  }

  /** Replaces a service's fault settings (ordermesh.testing.v1.FaultService). */
  async setFaults(
    service: string,
    faults: { latencyMs?: number; errorRateBps?: number; errorCode?: number; methods?: string[] },
  ): Promise<void> {
    const address = connection.services[service]?.grpc;
    if (!address) throw new Error(`${service} has no gRPC address`);
    const client = directClient<FaultServiceClient>('fault', address);
    try {
      await this.step(`SetFaults ${service} ${JSON.stringify(faults)}`, () =>
        client.rpc.setFaults({
          latencyMs: faults.latencyMs ?? 0,
          errorRateBps: faults.errorRateBps ?? 0,
          errorCode: faults.errorCode ?? 0,
          methods: faults.methods ?? [],
        }),
      );
    } finally {
      client.close();
    }
  }

  /** The simulated payment provider's test controls (declines by payment method). */
  async paymentControls(declineMethods: string[]): Promise<void> {
    const client = directClient<PaymentServiceClient>(
      'payment',
      connection.services['payment']!.grpc!,
    );
    try {
      await this.step(`ConfigureTestControls decline ${JSON.stringify(declineMethods)}`, () =>
        client.rpc.configureTestControls({ declineMethods, latencyMs: 0, errorRateBps: 0 }),
      );
    } finally {
      client.close();
    }
  }

  /** Cuts a service off its database: no new connections, existing sessions terminated. */
  async cutDatabase(service: PgService): Promise<void> {
    const database = connection.postgres.databases[service]!.database;
    await this.step(`cut PostgreSQL connections of ${database}`, () =>
      this.superuser(async (client) => {
        await client.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
        await client.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [database],
        );
      }),
    );
    // The checker's own pool for that database is gone too.
    await this.pools
      .get(service)
      ?.end()
      .catch(() => undefined);
    this.pools.delete(service);
  }

  async restoreDatabase(service: PgService): Promise<void> {
    const database = connection.postgres.databases[service]!.database;
    await this.step(`allow PostgreSQL connections to ${database}`, () =>
      this.superuser((client) => client.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`)),
    );
  }

  /** Whether every database accepts connections (a failed run must not leave one cut off). */
  async restoreAllDatabases(): Promise<void> {
    await this.superuser(async (client) => {
      for (const service of PG_SERVICES) {
        const database = connection.postgres.databases[service]!.database;
        await client.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
      }
    });
  }

  private async superuser<T>(fn: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({
      connectionString: connection.postgres.superuser.url,
      connectionTimeoutMillis: 5_000,
    });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** A query on a service's own database (as its role). */
  async query<R extends object>(
    service: PgService,
    sql: string,
    params: unknown[] = [],
  ): Promise<R[]> {
    let pool = this.pools.get(service);
    if (!pool) {
      pool = new Pool({
        connectionString: connection.postgres.databases[service]!.url,
        max: 3,
        connectionTimeoutMillis: 5_000,
        idleTimeoutMillis: 5_000,
      });
      pool.on('error', () => undefined);
      this.pools.set(service, pool);
    }
    return (await pool.query<R>(sql, params)).rows;
  }

  async admin(): Promise<Admin> {
    if (!this.adminClient) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.adminClient = admin;
    }
    return this.adminClient;
  }

  /** Forgets the Kafka admin connection (after the broker restarted). */
  async resetKafka(): Promise<void> {
    await this.adminClient?.disconnect().catch(() => undefined);
    this.adminClient = undefined;
  }

  async deadLetterCounts(): Promise<Record<string, number>> {
    return deadLetterCounts(await this.admin());
  }

  async serviceGroups(): Promise<string[]> {
    return serviceGroups(await this.admin(), ALL_SERVICES);
  }

  async groupLag(groupId: string): Promise<number> {
    return groupLag(await this.admin(), groupId);
  }

  /** The end offset of every partition a group consumes (`topic:partition` → offset). */
  async endOffsets(groupId: string): Promise<Map<string, number>> {
    const admin = await this.admin();
    const ends = new Map<string, number>();
    for (const { topic } of await admin.fetchOffsets({ groupId })) {
      for (const end of await admin.fetchTopicOffsets(topic)) {
        ends.set(`${topic}:${end.partition}`, Number(end.high));
      }
    }
    return ends;
  }

  /** Records of `targets` (`topic:partition` → offset) a group has not committed yet. */
  async behind(groupId: string, targets: Map<string, number>): Promise<number> {
    const admin = await this.admin();
    const committed = new Map<string, number>();
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
      for (const p of partitions) committed.set(`${topic}:${p.partition}`, Number(p.offset));
    }
    let behind = 0;
    for (const [key, target] of targets) behind += Math.max(0, target - (committed.get(key) ?? 0));
    return behind;
  }

  /**
   * Moves a (stopped) service's group back to the earliest offset of every topic it consumes
   * (rewind-group.mjs, in a process of its own). Waits until the group is empty first: committing
   * joins the group, and a departed member stays registered until its session times out.
   */
  async rewindGroup(groupId: string): Promise<string[]> {
    const admin = await this.admin();
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [group] = (await admin.describeGroups([groupId])).groups;
      if (!group || group.state === 'Empty' || group.state === 'Dead') break;
      if (Date.now() > deadline) {
        throw new Error(
          `consumer group ${groupId} still ${group.state} with ${group.members.length} members`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const { stdout } = await execFileAsync(
      process.execPath,
      [path.join(__dirname, 'rewind-group.mjs'), connection.kafka.brokers.join(','), groupId],
      { timeout: 60_000, cwd: REPO_ROOT },
    );
    return (JSON.parse(stdout) as { topics: string[] }).topics;
  }

  /** The environment the platform gives a service. */
  async serviceEnv(service: string): Promise<Record<string, string>> {
    return ordermeshJson<Record<string, string>>('env', service, '--reveal');
  }

  /** The pid of a running component (status --json). */
  async pidOf(component: string): Promise<number | undefined> {
    const status = await ordermeshJson<{ component: string; pid: number | null }[]>('status');
    return status.find((c) => c.component === component)?.pid ?? undefined;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.pools.values()].map((pool) => pool.end()));
    this.pools.clear();
    await this.resetKafka();
  }
}
