/**
 * The services' pg client prepares each parameterised statement once per connection, on the
 * platform's real PostgreSQL: the second call of a text reuses the prepared statement, results are
 * unchanged, `SELECT *` runs unnamed and a connection never keeps more than the cap.
 */
import { MAX_PREPARED_PER_CONNECTION, PreparingClient } from '@ordermesh/persistence';
import { connection } from '../support/connection-env';

describe('PreparingClient on PostgreSQL', () => {
  const { superuser } = connection.postgres;
  let client: PreparingClient;
  const prepared = async () =>
    (
      await client.query<{ name: string; statement: string }>(
        'SELECT name, statement FROM pg_prepared_statements',
      )
    ).rows;

  beforeEach(async () => {
    client = new PreparingClient({ connectionString: superuser.url });
    await client.connect();
  });
  afterEach(() => client.end());

  it('prepares a parameterised statement once and reuses it', async () => {
    const sql = 'SELECT $1::int + $2::int AS sum';
    expect((await client.query(sql, [1, 2])).rows).toEqual([{ sum: 3 }]);
    expect((await client.query(sql, [40, 2])).rows).toEqual([{ sum: 42 }]);
    const statements = await prepared();
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ statement: sql });
    expect(statements[0]!.name).toMatch(/^select_[0-9a-f]{16}$/);
  });

  it('runs SELECT * and statements without parameters unnamed', async () => {
    await client.query('SELECT * FROM pg_database WHERE datname = $1', ['postgres']);
    await client.query('SELECT 1');
    expect(await prepared()).toEqual([]);
  });

  it('keeps at most the cap per connection and still answers the rest', async () => {
    for (let i = 0; i <= MAX_PREPARED_PER_CONNECTION; i++) {
      const { rows } = await client.query(`SELECT $1::int AS n${i}`, [i]);
      expect(rows).toEqual([{ [`n${i}`]: i }]);
    }
    expect(await prepared()).toHaveLength(MAX_PREPARED_PER_CONNECTION);
  });

  it('reports a failing prepared statement as pg does, and the connection goes on', async () => {
    await expect(client.query('SELECT 1 / $1::int AS q', [0])).rejects.toMatchObject({
      code: '22012',
    });
    expect((await client.query('SELECT 1 / $1::int AS q', [1])).rows).toEqual([{ q: 1 }]);
  });
});
