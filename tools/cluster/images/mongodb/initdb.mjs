// The pure half of mongod.mjs (argument parsing, init-script planning), unit-tested by
// tools/cluster/images/mongod.test.ts.
import vm from 'node:vm';

export function parseArgs(argv) {
  const o = { auth: false, host: '127.0.0.1', port: 27017, dbpath: '/data/db' };
  const value = (i, flag) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const take = () => (inline !== undefined ? inline : value(i++, flag));
    switch (flag) {
      case '--auth':
        o.auth = true;
        break;
      case '--noauth':
        o.auth = false;
        break;
      case '--bind_ip_all':
        o.host = '';
        break;
      case '--bind_ip':
        o.host = take().split(',')[0];
        break;
      case '--port':
        o.port = Number(take());
        break;
      case '--dbpath':
        o.dbpath = take();
        break;
      case '--wiredTigerCacheSizeGB':
        take();
        break;
      default:
        throw new Error(`unsupported option ${argv[i]} (this image runs FerretDB; see mongod.mjs)`);
    }
  }
  return o;
}

/**
 * Runs one mongosh-style provisioning script in a sandbox; returns the operations it asked for,
 * in order. `log` receives print()/printjson() output.
 */
export function planScript(code, filename, env, log = () => undefined) {
  const ops = [];
  const database = (name) => {
    const d = {
      getName: () => name,
      getSiblingDB: (other) => database(String(other)),
      createUser: (doc) => {
        // plain data of this realm (the sandbox's objects have its own prototypes)
        ops.push({ op: 'createUser', db: name, doc: JSON.parse(JSON.stringify(doc ?? null)) });
        return { ok: 1 };
      },
    };
    return new Proxy(d, {
      get(target, prop) {
        if (prop in target) return target[prop];
        if (typeof prop === 'symbol') return undefined;
        throw new Error(`${filename}: db.${String(prop)} is not supported by this image`);
      },
    });
  };
  const sandbox = {
    db: database('test'),
    process: { env: { ...env } },
    print: (...a) => log(a.join(' ')),
    printjson: (v) => log(JSON.stringify(v)),
  };
  vm.runInNewContext(code, sandbox, { filename, timeout: 5000 });
  return ops;
}
