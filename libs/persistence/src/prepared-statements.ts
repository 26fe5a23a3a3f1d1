import { createHash } from 'node:crypto';
import { Client } from 'pg';

/** Named statements one connection keeps at most; later new texts run unnamed, as before. */
export const MAX_PREPARED_PER_CONNECTION = 256;

/**
 * The name a parameterised statement is prepared under, or undefined when it should run unnamed.
 * Named after its first keyword and a hash of its text, so a trace's `pg.query:<name>` span still
 * reads as an operation (`pg.query:select_3f2a9c1b04d7e6a1 order_svc`). Not named: statements
 * without parameters (BEGIN, COMMIT, DDL: the simple protocol is one round trip), and statements
 * whose result columns follow the table definition (`SELECT *`, `RETURNING *`): PostgreSQL
 * refuses to run a prepared one after a migration adds a column ("cached plan must not change
 * result type"), which a rolling upgrade would do to the replicas still running.
 */
export function statementName(text: string, values: unknown): string | undefined {
  if (!Array.isArray(values) || values.length === 0) return undefined;
  if (text.replace(/\(\s*\*\s*\)/g, '').includes('*')) return undefined;
  const keyword = /^\s*([A-Za-z]+)/.exec(text)?.[1]?.toLowerCase() ?? 'query';
  return `${keyword}_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
}

/** Names by text, for the texts a process runs again and again (bounded like the statements). */
const namesByText = new Map<string, string | undefined>();
const MAX_CACHED_NAMES = 4 * MAX_PREPARED_PER_CONNECTION;

function cachedName(text: string, values: unknown): string | undefined {
  if (!Array.isArray(values) || values.length === 0) return undefined;
  if (namesByText.has(text)) return namesByText.get(text);
  const name = statementName(text, values);
  if (namesByText.size < MAX_CACHED_NAMES) namesByText.set(text, name);
  return name;
}

/**
 * A pg client that prepares each parameterised statement once per connection and then only binds
 * and executes it: PostgreSQL no longer parses and plans the same text on every call. On the order
 * path that was about 30 % of PostgreSQL's CPU (docs/performance.md). The pool builds its
 * connections with it (`Client` of pg-pool's options); queries, results, errors and their
 * instrumentation are pg's own.
 */
export class PreparingClient extends Client {
  /** The statements this connection has prepared. */
  readonly preparedNames = new Set<string>();
}

// Client's own signature (its overloads) stays; pg's query, looked up per call, does the work
// (so the OpenTelemetry instrumentation of Client.prototype.query still sees every statement).
PreparingClient.prototype.query = function query(this: PreparingClient, ...args: unknown[]) {
  const [text, values, ...rest] = args;
  const run = Client.prototype.query as (...a: unknown[]) => unknown;
  if (typeof text === 'string') {
    const name = cachedName(text, values);
    const names = this.preparedNames;
    if (name && (names.has(name) || names.size < MAX_PREPARED_PER_CONNECTION)) {
      names.add(name);
      return run.call(this, { name, text, values }, ...rest);
    }
  }
  return run.apply(this, args);
} as Client['query'];
