/**
 * Each relational service has its own database and role on the platform's PostgreSQL: the role
 * owns its database and cannot connect to any other service's database (nor the maintenance db).
 */
import { Client } from 'pg';
import { connection, type Connection } from '../support/connection-env';

interface Attempt {
  ok: boolean;
  code?: string;
  message?: string;
}

async function tryConnect(
  info: Connection,
  user: string,
  password: string,
  database: string,
  sql?: string,
): Promise<Attempt & { rows?: Record<string, unknown>[] }> {
  const client = new Client({
    host: info.postgres.host,
    port: info.postgres.port,
    user,
    password,
    database,
    connectionTimeoutMillis: 5000,
  });
  try {
    await client.connect();
    const rows = sql ? (await client.query(sql)).rows : [];
    return { ok: true, rows };
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return { ok: false, code: err.code, message: err.message };
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('PostgreSQL: one database and one role per service', () => {
  const info = connection;
  const services = Object.keys(info.postgres.databases);
  const db = (svc: string): { database: string; user: string; password: string } => {
    const d = info.postgres.databases[svc];
    if (!d) throw new Error(`no database for ${svc} in connection-info`);
    return d;
  };

  it('has a database for each relational service', () => {
    expect(services.sort()).toEqual([
      'inventory',
      'order',
      'payment',
      'pricing',
      'shipping',
      'user',
    ]);
    for (const svc of services) {
      expect(db(svc).database).toBe(`${svc}_svc`);
      expect(db(svc).user).toBe(`${svc}_svc`);
    }
  });

  it.each(['user', 'inventory', 'pricing', 'order', 'payment', 'shipping'])(
    '%s_svc connects to its own database, owns it and can create tables there',
    async (svc) => {
      const own = db(svc);
      const r = await tryConnect(
        info,
        own.user,
        own.password,
        own.database,
        `SELECT current_user AS "user", current_database() AS "db",
                (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS "superuser",
                (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()) AS "owner",
                has_schema_privilege('public', 'CREATE') AS "canCreate"`,
      );
      expect(r).toMatchObject({ ok: true });
      expect(r.rows?.[0]).toEqual({
        user: own.user,
        db: own.database,
        superuser: false,
        owner: own.user,
        canCreate: true,
      });
    },
  );

  it.each(['user', 'inventory', 'pricing', 'order', 'payment', 'shipping'])(
    "%s_svc cannot connect to any other service's database",
    async (svc) => {
      const own = db(svc);
      for (const other of services.filter((s) => s !== svc)) {
        const target = db(other).database;
        const r = await tryConnect(info, own.user, own.password, target);
        expect({ target, ok: r.ok, code: r.code }).toEqual({ target, ok: false, code: '42501' });
      }
      const maintenance = await tryConnect(info, own.user, own.password, 'postgres');
      expect(maintenance).toMatchObject({ ok: false, code: '42501' });
    },
  );

  it("rejects a role's login with another role's password", async () => {
    const user = db('user');
    const order = db('order');
    const r = await tryConnect(info, user.user, order.password, user.database);
    expect(r).toMatchObject({ ok: false, code: '28P01' });
  });
});
