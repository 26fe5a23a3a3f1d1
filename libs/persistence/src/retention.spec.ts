import type { DataSource } from 'typeorm';
import { PostgresRetention, deleteExpired } from './retention';

/** A DataSource that records its queries and answers a DELETE with `deleted` rows. */
function recordingDataSource(deleted = 0) {
  const queries: { sql: string; parameters: unknown[] }[] = [];
  const dataSource = {
    query: async (sql: string, parameters: unknown[]) => {
      queries.push({ sql, parameters });
      return [[], deleted];
    },
  } as unknown as DataSource;
  return { dataSource, queries };
}

describe('deleteExpired', () => {
  it.each([
    ['a table', { table: 'outbox_events; DROP TABLE orders', timeColumn: 'published_at' }],
    ['a column', { table: 'outbox_events', timeColumn: 'published_at OR true' }],
  ])('refuses %s that is not a plain SQL identifier, and runs nothing', async (_, names) => {
    const { dataSource, queries } = recordingDataSource();
    await expect(deleteExpired(dataSource, { ...names, retentionMs: 1 })).rejects.toThrow(
      'not a plain SQL identifier',
    );
    expect(queries).toEqual([]);
  });

  it('passes the retention and the batch limit as parameters', async () => {
    const { dataSource, queries } = recordingDataSource(7);
    const expiring = { table: 'idempotency_keys', timeColumn: 'created_at', retentionMs: 5_000 };
    expect(await deleteExpired(dataSource, expiring, 100)).toBe(7);
    expect(queries[0]!.parameters).toEqual([5_000, 100]);
    expect(queries[0]!.sql).toMatch(/DELETE FROM idempotency_keys .* created_at < now\(\)/s);
  });
});

describe('PostgresRetention', () => {
  it('sweeps every registered table once, the last registration of a table winning', async () => {
    const { dataSource, queries } = recordingDataSource(2);
    const retention = new PostgresRetention(dataSource);
    retention.register({ table: 'outbox_events', timeColumn: 'published_at', retentionMs: 1 });
    retention.register({ table: 'processed_events', timeColumn: 'processed_at', retentionMs: 2 });
    retention.register({ table: 'outbox_events', timeColumn: 'published_at', retentionMs: 3 });
    expect(await retention.sweep()).toEqual({ outbox_events: 2, processed_events: 2 });
    expect(queries.map((q) => q.parameters[0])).toEqual([3, 2]);
  });
});
