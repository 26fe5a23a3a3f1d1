import { statementName } from './prepared-statements';

describe('statementName', () => {
  it('names a parameterised statement by its keyword and text, the same text the same name', () => {
    const sql = 'UPDATE orders SET status = $2 WHERE id = $1';
    const name = statementName(sql, ['id', 'CONFIRMED']);
    expect(name).toMatch(/^update_[0-9a-f]{16}$/);
    expect(statementName(sql, ['other', 'CANCELLED'])).toBe(name);
    expect(statementName(`${sql} AND version = $3`, [1, 2, 3])).not.toBe(name);
  });

  it('leaves statements without parameters unnamed (BEGIN, COMMIT, DDL)', () => {
    expect(statementName('COMMIT', [])).toBeUndefined();
    expect(statementName('START TRANSACTION', undefined)).toBeUndefined();
  });

  it('leaves statements whose result follows the table definition unnamed', () => {
    expect(statementName('SELECT * FROM orders WHERE id = $1', ['x'])).toBeUndefined();
    expect(statementName('SELECT o.* FROM orders o WHERE id = $1', ['x'])).toBeUndefined();
    expect(statementName('INSERT INTO t (a) VALUES ($1) RETURNING *', [1])).toBeUndefined();
    // count(*) does not depend on the columns.
    expect(statementName('SELECT count(*) FROM orders WHERE status = $1', ['PENDING'])).toMatch(
      /^select_/,
    );
  });
});
