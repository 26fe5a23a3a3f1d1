import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { withoutTracing } from '@ordermesh/observability';
import type { DataSource } from 'typeorm';

/** Rows of `table` expire `retentionMs` after their `timeColumn` (rows where it is NULL never do). */
export interface Expiring {
  table: string;
  timeColumn: string;
  retentionMs: number;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Deletes at most `limit` expired rows of one table and returns how many. Bounded, so a backlog of
 * old rows goes over several runs instead of one long delete holding its locks.
 */
export async function deleteExpired(
  dataSource: DataSource,
  { table, timeColumn, retentionMs }: Expiring,
  limit = 10_000,
): Promise<number> {
  for (const name of [table, timeColumn]) {
    if (!IDENTIFIER.test(name)) throw new Error(`not a plain SQL identifier: ${name}`);
  }
  const [, deleted] = await dataSource.query<[unknown, number]>(
    `DELETE FROM ${table} WHERE ctid IN (
       SELECT ctid FROM ${table}
       WHERE ${timeColumn} < now() - $1::float8 * interval '1 millisecond'
       LIMIT $2)`,
    [retentionMs, limit],
  );
  return deleted;
}

/**
 * Keeps the service's bookkeeping tables (published outbox rows, processed-event marks,
 * idempotency keys) from growing forever: modules register what expires, and every minute (and
 * once at start-up) one bounded delete runs per table. Safe with any number of replicas.
 * Provided by PostgresModule.
 */
export class PostgresRetention implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('PostgresRetention');
  private readonly tables = new Map<string, Expiring>();
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly intervalMs = 60_000,
  ) {}

  register(expiring: Expiring): void {
    this.tables.set(expiring.table, expiring);
  }

  /** One bounded delete per registered table; how many rows each lost. */
  async sweep(): Promise<Record<string, number>> {
    const deleted: Record<string, number> = {};
    for (const expiring of this.tables.values()) {
      deleted[expiring.table] = await withoutTracing(() =>
        deleteExpired(this.dataSource, expiring),
      );
    }
    return deleted;
  }

  /** After every module's init: the migrations have run and every table is registered. */
  onApplicationBootstrap(): void {
    const run = () => {
      this.sweeping = this.sweep()
        .catch((error: unknown) =>
          this.logger.warn(`retention sweep failed: ${(error as Error).message}`),
        )
        .finally(() => (this.sweeping = undefined));
    };
    run();
    this.timer = setInterval(() => this.sweeping ?? run(), this.intervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }
}
