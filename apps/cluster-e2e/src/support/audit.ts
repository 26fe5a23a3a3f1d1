// The chaos suite's invariant checker reads the release on the cluster through port-forwards:
// each service's database in the release's PostgreSQL, its Kafka, its Redis.
import { connect } from 'node:net';
import {
  type AuditSource,
  type AuditedService,
  deadLetterCounts,
  groupLag,
  serviceGroups,
} from '@ordermesh/chaos';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { Pool } from 'pg';
import { forward, secretValue, SERVICES } from './platform';

export class ClusterAudit implements AuditSource {
  private readonly pools = new Map<string, Promise<Pool>>();
  private admin: Promise<Admin> | undefined;

  async query<R extends object>(
    service: AuditedService,
    sql: string,
    params: unknown[] = [],
  ): Promise<R[]> {
    let pool = this.pools.get(service);
    if (!pool) {
      pool = forward('postgresql', 5432).then((pg) => {
        const p = new Pool({
          host: '127.0.0.1',
          port: pg.port,
          user: 'postgres',
          password: secretValue('postgresql-credentials', 'postgres-password'),
          database: `${service}_svc`,
          max: 2,
          connectionTimeoutMillis: 10_000,
          idleTimeoutMillis: 5_000,
        });
        p.on('error', () => undefined);
        return p;
      });
      this.pools.set(service, pool);
    }
    return (await (await pool).query<R>(sql, params)).rows;
  }

  /**
   * A Kafka admin whose every connection goes to the port-forward of the broker (it advertises its
   * in-cluster name, which this machine cannot resolve).
   */
  private kafka(): Promise<Admin> {
    this.admin ??= forward('kafka', 9092).then(async (f) => {
      const kafka = new Kafka({
        clientId: 'cluster-e2e-audit',
        brokers: [`127.0.0.1:${f.port}`],
        logLevel: logLevel.NOTHING,
        socketFactory: ({ onConnect }) => connect({ host: '127.0.0.1', port: f.port }, onConnect),
      });
      const admin = kafka.admin();
      await admin.connect();
      return admin;
    });
    return this.admin;
  }

  async deadLetterCounts(): Promise<Record<string, number>> {
    return deadLetterCounts(await this.kafka());
  }

  async serviceGroups(): Promise<string[]> {
    return serviceGroups(await this.kafka(), SERVICES);
  }

  async groupLag(groupId: string): Promise<number> {
    return groupLag(await this.kafka(), groupId);
  }

  async redisUrl(): Promise<string> {
    const redis = await forward('redis', 6379);
    const password = encodeURIComponent(secretValue('redis-credentials', 'redis-password'));
    return `redis://:${password}@127.0.0.1:${redis.port}`;
  }

  async close(): Promise<void> {
    await (await this.admin?.catch(() => undefined))?.disconnect();
    for (const pool of this.pools.values()) await (await pool).end().catch(() => undefined);
  }
}
