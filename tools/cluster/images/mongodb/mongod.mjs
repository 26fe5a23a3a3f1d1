#!/usr/bin/env node
// `mongod` of the local-cluster MongoDB-compatible image: FerretDB v1 (SQLite backend, the server
// the local platform runs) behind the part of the official `mongo` image's contract the chart uses:
//   mongod [--auth] [--bind_ip_all | --bind_ip <addr>] [--port <n>] [--dbpath <dir>]
//          [--wiredTigerCacheSizeGB <gb>]   (accepted; FerretDB has no WiredTiger cache)
//   MONGO_INITDB_ROOT_USERNAME / MONGO_INITDB_ROOT_PASSWORD: the root user (database admin);
//   /docker-entrypoint-initdb.d/*.js run once, on a new data directory, against a server on
//   loopback only, before the real listener opens (so a ready port means users exist).
// The init scripts are mongosh scripts; without mongosh they run in a node:vm sandbox that offers
// the subset of mongosh's API provisioning scripts use: db.getSiblingDB(name), db.getName(),
// db.createUser(doc) (idempotent: an existing user gets the new password), print, process.env.
// Anything else fails loudly with the name of what is missing. FerretDB v1 authenticates users
// (SCRAM-SHA-256) but does not enforce their roles.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { parseArgs, planScript } from './initdb.mjs';

const FERRETDB = process.env.FERRETDB_BIN ?? '/usr/local/bin/ferretdb';
const INITDB_DIR = process.env.MONGO_INITDB_DIR ?? '/docker-entrypoint-initdb.d';
const DONE_MARKER = '.ordermesh-initdb-done';

function log(msg) {
  process.stderr.write(`mongod (ferretdb): ${msg}\n`);
}

function fail(msg) {
  log(`error: ${msg}`);
  process.exit(1);
}

function startFerretdb(o, listen, setup) {
  const args = [
    '--handler=sqlite',
    `--sqlite-url=file:${o.dbpath}/`,
    `--state-dir=${o.dbpath}`,
    `--listen-addr=${listen}`,
    '--debug-addr=-',
    '--telemetry=disable',
    '--log-level=info',
  ];
  if (o.auth) args.push('--test-enable-new-auth');
  if (setup) {
    args.push(
      '--setup-database=admin',
      `--setup-username=${setup.user}`,
      `--setup-password=${setup.password}`,
    );
  }
  return spawn(FERRETDB, args, { stdio: ['ignore', 'inherit', 'inherit'] });
}

function exited(child) {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

async function connect(url) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const client = new MongoClient(url, { serverSelectionTimeoutMS: 2000, directConnection: true });
    try {
      await client.connect();
      await client.db('admin').command({ ping: 1 });
      return client;
    } catch (e) {
      await client.close().catch(() => undefined);
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

// FerretDB v1 authenticates users but has no authorisation: it refuses createUser with roles, so
// users are created without them (every authenticated user may use every database).
async function applyOps(client, ops) {
  for (const { db, doc } of ops) {
    if (typeof doc?.user !== 'string' || typeof doc?.pwd !== 'string' || doc.pwd === '')
      throw new Error(`createUser in ${db}: needs a user and a non-empty pwd (is its env set?)`);
    if (Array.isArray(doc.roles) && doc.roles.length > 0)
      log(
        `user ${doc.user} in ${db}: roles ${JSON.stringify(doc.roles)} are not enforced by FerretDB v1`,
      );
    try {
      await client.db(db).command({ createUser: doc.user, pwd: doc.pwd, roles: [] });
      log(`created user ${doc.user} in ${db}`);
    } catch (e) {
      if (!/already exists/i.test(String(e?.message))) throw e;
      await client.db(db).command({ updateUser: doc.user, pwd: doc.pwd });
      log(`user ${doc.user} in ${db} existed: password updated`);
    }
  }
}

async function initdb(o) {
  const user = process.env.MONGO_INITDB_ROOT_USERNAME ?? '';
  const password = process.env.MONGO_INITDB_ROOT_PASSWORD ?? '';
  if ((user === '') !== (password === ''))
    fail('set both MONGO_INITDB_ROOT_USERNAME and MONGO_INITDB_ROOT_PASSWORD, or neither');
  if (o.auth && !user)
    fail('--auth on a new data directory needs MONGO_INITDB_ROOT_USERNAME/PASSWORD');
  const scripts = existsSync(INITDB_DIR)
    ? readdirSync(INITDB_DIR)
        .filter((f) => !f.startsWith('.'))
        .sort()
    : [];
  const plan = [];
  for (const f of scripts) {
    if (f.endsWith('.js')) {
      log(`planning ${INITDB_DIR}/${f}`);
      plan.push(...planScript(readFileSync(join(INITDB_DIR, f), 'utf8'), f, process.env, log));
    } else log(`ignoring ${INITDB_DIR}/${f} (only .js scripts run here)`);
  }
  log(`initialising ${o.dbpath} on a loopback-only server`);
  const child = startFerretdb(o, `127.0.0.1:${o.port}`, user ? { user, password } : null);
  const gone = exited(child);
  try {
    const auth = user ? `${encodeURIComponent(user)}:${encodeURIComponent(password)}@` : '';
    const client = await Promise.race([
      connect(`mongodb://${auth}127.0.0.1:${o.port}/admin`),
      gone.then(({ code }) => {
        throw new Error(`FerretDB exited (${code}) during initialisation`);
      }),
    ]);
    try {
      await applyOps(client, plan);
    } finally {
      await client.close();
    }
  } finally {
    child.kill('SIGTERM');
    await gone;
  }
  writeFileSync(join(o.dbpath, DONE_MARKER), `${new Date().toISOString()}\n`);
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === 'mongod') argv.shift();
  let o;
  try {
    o = parseArgs(argv);
  } catch (e) {
    fail(e.message);
  }
  if (!existsSync(o.dbpath)) fail(`--dbpath ${o.dbpath} does not exist`);
  if (!existsSync(join(o.dbpath, DONE_MARKER))) await initdb(o);
  const listen = `${o.host === '' ? '' : o.host}:${o.port}`;
  log(`serving on ${listen || `:${o.port}`} (auth ${o.auth ? 'on' : 'off'})`);
  const child = startFerretdb(o, listen, null);
  for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => child.kill(sig));
  const { code, signal } = await exited(child);
  process.exit(code ?? (signal === 'SIGTERM' || signal === 'SIGINT' ? 0 : 1));
}

main().catch((e) => fail(e?.stack ?? String(e)));
