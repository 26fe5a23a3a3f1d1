// Smoke test of the images `make cluster-images` built, without a cluster: each infrastructure
// image runs with exactly the pod spec the chart renders with k8s/local/values.yaml (command,
// args, env from the rendered Secrets, uid, read-only root filesystem, volumes) and must pass the
// chart's own probes and serve its protocol; the chart's Jobs (PostgreSQL roles, Kafka topics) run
// against them; every service image starts node with the chart's env and fails only for lack of
// its dependencies. Networking stays inside each container's own loopback (`--network none`).
//
//   make cluster-images-test      (node --test tools/cluster/images/smoke.test.ts)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildah, MANIFEST, REPO, VALUES_FILE, type ManifestEntry } from './build.ts';
import { parseRender, PodRunner, type Rendered } from './pod.ts';
import { SERVICES } from './spec.ts';

const NS = 'ordermesh';
const HOSTS = [
  'postgresql',
  'kafka',
  `kafka.${NS}.svc.cluster.local`,
  'mongodb',
  'redis',
  'jaeger',
  'victorialogs',
  'prometheus',
];

function render(): Rendered {
  const helm = join(REPO, '.ordermesh', 'tools', 'bin', 'helm');
  assert.ok(existsSync(helm), `${helm} is missing: node tools/chart/install-tools.mjs`);
  const r = spawnSync(
    helm,
    ['template', 'ordermesh', join(REPO, 'charts', 'ordermesh'), '-n', NS, '-f', VALUES_FILE],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  assert.equal(r.status, 0, r.stderr);
  return parseRender(r.stdout);
}

let rendered: Rendered;
let runner: PodRunner;

before(() => {
  assert.ok(existsSync(MANIFEST), `${MANIFEST} is missing: run make cluster-images first`);
  rendered = render();
  runner = new PodRunner(buildah(), rendered, HOSTS);
});

after(() => runner?.cleanup());

test('the manifest names every image the chart renders, and each is in the local storage', () => {
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as ManifestEntry[];
  const refs = new Set(manifest.map((m) => m.ref));
  const images = new Set<string>();
  for (const o of rendered.objects) {
    const spec = o.spec?.template?.spec;
    for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])])
      images.add(`docker.io/${c.image}`);
  }
  assert.deepEqual(
    [...images].filter((i) => !refs.has(i)),
    [],
    'images the chart runs but the manifest lacks',
  );
  for (const m of manifest) {
    assert.ok(existsSync(m.archive), `${m.archive} is missing`);
    assert.ok(buildah().imageId(m.ref), `${m.ref} is not in the local storage`);
  }
});

describe(
  'infrastructure images serve with the pod spec the chart gives them',
  { concurrency: 1 },
  () => {
    test('postgresql: initdb from POSTGRES_PASSWORD, pg_isready probes, the init Job creates every role', async () => {
      const pod = rendered.pod('StatefulSet', 'postgresql');
      const s = runner.start('ordermesh-smoke-postgresql', pod);
      await runner.waitReady(s, pod.spec.containers[0], 120_000);
      const job = runner.start(
        'ordermesh-smoke-postgresql-init',
        rendered.pod('Job', 'postgresql-init'),
        {
          netOf: s.name,
        },
      );
      assert.equal(await runner.waitExit(job.name, 120_000), 0, runner.logs(job.name));
      const dbs = [...runner.logs(job.name).matchAll(/^provisioned (\S+)$/gm)].map((m) => m[1]!);
      assert.ok(dbs.length >= 5, `roles provisioned: ${dbs.join(', ')}`);
      for (const db of dbs) {
        const pw = rendered.secret('postgresql-credentials', `${db}-password`);
        const ok = runner.exec(
          s.name,
          ['psql', '-h', '127.0.0.1', '-U', db, '-d', db, '-Atc', 'SELECT current_user'],
          { PGPASSWORD: pw },
        );
        assert.equal(ok.out.trim().split('\n').at(-1), db, ok.out);
      }
      const bad = runner.exec(
        s.name,
        ['psql', '-h', '127.0.0.1', '-U', dbs[0]!, '-d', dbs[0]!, '-c', 'SELECT 1'],
        {
          PGPASSWORD: 'wrong',
        },
      );
      assert.notEqual(bad.status, 0, 'a wrong password must be refused');
      assert.match(bad.out, /password authentication failed/);
    });

    test('kafka: formats the claim, serves the broker API, the topics Job creates the catalogue', async () => {
      const pod = rendered.pod('StatefulSet', 'kafka');
      const s = runner.start('ordermesh-smoke-kafka', pod);
      await runner.waitReady(s, pod.spec.containers[0], 240_000);
      const api = runner.exec(
        s.name,
        ['kafka-broker-api-versions.sh', '--bootstrap-server', '127.0.0.1:9092'],
        {
          KAFKA_HEAP_OPTS: '-Xmx64m',
        },
      );
      assert.equal(api.status, 0, api.out);
      assert.match(api.out, /Produce\(0\):/);
      const job = runner.start(
        'ordermesh-smoke-kafka-topics',
        rendered.pod('Job', 'kafka-topics'),
        {
          netOf: s.name,
        },
      );
      assert.equal(await runner.waitExit(job.name, 240_000), 0, runner.logs(job.name));
      const list = runner.exec(
        s.name,
        ['kafka-topics.sh', '--bootstrap-server', 'kafka:9092', '--list'],
        {
          KAFKA_HEAP_OPTS: '-Xmx64m',
        },
      );
      const topics = JSON.parse(
        readFileSync(join(REPO, 'charts/ordermesh/files/topics.json'), 'utf8'),
      ) as {
        topics: { name: string }[];
      };
      for (const t of topics.topics)
        assert.ok(list.out.split('\n').includes(t.name), `topic ${t.name} missing:\n${list.out}`);
    });

    test('mongodb (FerretDB): root and per-database users from the init script, SCRAM auth enforced', async () => {
      const pod = rendered.pod('StatefulSet', 'mongodb');
      const s = runner.start('ordermesh-smoke-mongodb', pod);
      await runner.waitReady(s, pod.spec.containers[0], 120_000);
      const pw = rendered.secret('mongodb-credentials', 'product-password');
      const script = (password: string): string =>
        `import('mongodb').then(async ({MongoClient})=>{const c=new MongoClient('mongodb://product:'+encodeURIComponent(${JSON.stringify(password)})+'@127.0.0.1:27017/product?authSource=product',{serverSelectionTimeoutMS:5000});try{await c.connect();const col=c.db('product').collection('smoke');await col.insertOne({_id:'x',n:1});const d=await col.findOne({_id:'x'});console.log('found',d.n);process.exit(0)}catch(e){console.log('error',e.message);process.exit(1)}})`;
      // the entrypoint's folder holds the mongodb driver: bare imports resolve from the cwd
      const node = (password: string): { status: number; out: string } =>
        runner.exec(
          s.name,
          ['node', '--input-type=module', '-e', script(password)],
          {},
          '/usr/local/lib/mongod',
        );
      const good = node(pw);
      assert.equal(good.status, 0, good.out);
      assert.match(good.out, /found 1/);
      const bad = node('wrong');
      assert.notEqual(bad.status, 0, 'a wrong password must be refused');
      assert.match(bad.out, /auth/i);
    });

    test('redis: requirepass from the Secret, answers PING only when authenticated', async () => {
      const pod = rendered.pod('Deployment', 'redis');
      const s = runner.start('ordermesh-smoke-redis', pod);
      await runner.waitReady(s, pod.spec.containers[0], 60_000);
      const pw = rendered.secret('redis-credentials', 'redis-password');
      const ok = runner.exec(s.name, ['redis-cli', '--no-auth-warning', '-a', pw, 'PING']);
      assert.equal(ok.out.trim(), 'PONG', ok.out);
      const anon = runner.exec(s.name, ['redis-cli', 'PING']);
      assert.match(anon.out, /NOAUTH/);
    });

    test('jaeger: healthcheckv2 /status, accepts OTLP/HTTP and shows the trace in the query API', async () => {
      const pod = rendered.pod('Deployment', 'jaeger');
      const s = runner.start('ordermesh-smoke-jaeger', pod);
      await runner.waitReady(s, pod.spec.containers[0], 120_000);
      const span = {
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'smoke' } }] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: '5b8efff798038103d269b633813fc60c',
                    spanId: 'eee19b7ec3c1b174',
                    name: 'smoke-span',
                    kind: 1,
                    startTimeUnixNano: String(Date.now() * 1e6),
                    endTimeUnixNano: String(Date.now() * 1e6 + 1e6),
                  },
                ],
              },
            ],
          },
        ],
      };
      const post = runner.inNetns(
        s.pid,
        `fetch('http://127.0.0.1:4318/v1/traces',{method:'POST',headers:{'content-type':'application/json'},body:${JSON.stringify(JSON.stringify(span))}}).then(r=>{console.log(r.status);process.exit(r.ok?0:1)},e=>{console.log(e.message);process.exit(1)})`,
      );
      assert.equal(post.status, 0, post.out);
      let services = '';
      for (let i = 0; i < 20 && !services.includes('"smoke"'); i++) {
        await new Promise((r) => setTimeout(r, 1000));
        services = runner.inNetns(
          s.pid,
          `fetch('http://127.0.0.1:16686/api/services').then(r=>r.text()).then(t=>{console.log(t);process.exit(0)},()=>process.exit(1))`,
        ).out;
      }
      assert.match(services, /"smoke"/);
    });

    test('victorialogs: /health, accepts OTLP/protobuf logs from the SDK and finds the record by its trace id', async () => {
      const pod = rendered.pod('Deployment', 'victorialogs');
      const s = runner.start('ordermesh-smoke-victorialogs', pod);
      await runner.waitReady(s, pod.spec.containers[0], 120_000);
      // VictoriaLogs takes OTLP logs in protobuf only: sent by the SDK's own exporter, as the
      // services send theirs.
      const traceId = '5b8efff798038103d269b633813fc60d';
      const send = runner.inNetns(
        s.pid,
        `const r = require('node:module').createRequire(${JSON.stringify(join(REPO, 'package.json'))});
        const api = r('@opentelemetry/api');
        const { LoggerProvider, SimpleLogRecordProcessor } = r('@opentelemetry/sdk-logs');
        const { OTLPLogExporter } = r('@opentelemetry/exporter-logs-otlp-proto');
        const { resourceFromAttributes } = r('@opentelemetry/resources');
        const exporter = new OTLPLogExporter({ url: 'http://127.0.0.1:9428/insert/opentelemetry/v1/logs' });
        const provider = new LoggerProvider({
          resource: resourceFromAttributes({ 'service.name': 'smoke' }),
          processors: [new SimpleLogRecordProcessor({ exporter })],
        });
        const context = api.trace.setSpanContext(api.ROOT_CONTEXT, {
          traceId: '${traceId}', spanId: 'eee19b7ec3c1b174', traceFlags: 1,
        });
        api.diag.setLogger({ error: (...a) => { console.log(...a); process.exitCode = 1; }, warn: console.log, info() {}, debug() {}, verbose() {} }, api.DiagLogLevel.WARN);
        provider.getLogger('smoke').emit({ body: 'smoke line', severityText: 'info', context });
        provider.forceFlush().then(() => provider.shutdown()).catch((e) => { console.log(e.message); process.exitCode = 1; });`,
      );
      assert.equal(send.status, 0, send.out);
      const query = encodeURIComponent(`trace_id:="${traceId}"`);
      let out = '';
      for (let i = 0; i < 20 && !out.includes('smoke line'); i++) {
        await new Promise((r) => setTimeout(r, 1000));
        out = runner.inNetns(
          s.pid,
          `fetch('http://127.0.0.1:9428/select/logsql/query?query=${query}').then(r=>r.text()).then(t=>{console.log(t);process.exit(0)},()=>process.exit(1))`,
        ).out;
      }
      assert.match(out, /"_msg":"smoke line"/, out);
      assert.match(out, /"service.name":"smoke"/, out);
    });

    test('prometheus: the chart config loads, /-/ready, and it scrapes itself (up == 1)', async () => {
      const pod = rendered.pod('Deployment', 'prometheus');
      const s = runner.start('ordermesh-smoke-prometheus', pod);
      await runner.waitReady(s, pod.spec.containers[0], 120_000);
      let out = '';
      for (let i = 0; i < 40 && !/"value":\[[^\]]*,"1"\]/.test(out); i++) {
        await new Promise((r) => setTimeout(r, 1000));
        out = runner.inNetns(
          s.pid,
          `fetch('http://127.0.0.1:9090/api/v1/query?query=up%7Bjob%3D%22prometheus%22%7D').then(r=>r.text()).then(t=>{console.log(t);process.exit(0)},()=>process.exit(1))`,
        ).out;
      }
      assert.match(out, /"value":\[[^\]]*,"1"\]/, out);
    });
  },
);

describe(
  'service images start node with the chart env and fail only for lack of dependencies',
  { concurrency: 1 },
  () => {
    const broken =
      /Cannot find module|ERR_MODULE_NOT_FOUND|invalid configuration|SyntaxError|EROFS|EACCES/;
    const waitingForDeps =
      /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|connect|Connection|timed out|ETIMEDOUT/i;
    for (const svc of SERVICES) {
      test(svc, async () => {
        const pod = rendered.pod('Deployment', svc);
        const c = pod.spec.containers[0];
        const s = runner.start(`ordermesh-smoke-${svc}`, pod);
        const http = c.ports.find((p: { name: string }) => p.name === 'http')
          .containerPort as number;
        const deadline = Date.now() + 60_000;
        let live = false;
        let running = true;
        let logs = '';
        while (Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 1000));
          running = runner.state(s.name).running;
          logs = runner.logs(s.name);
          live = running && runner.probe(s, c, { httpGet: { path: '/health/live', port: http } });
          if (live || broken.test(logs) || waitingForDeps.test(logs) || !running) break;
        }
        logs = runner.logs(s.name);
        assert.doesNotMatch(logs, broken, `the image itself is broken:\n${logs}`);
        assert.match(logs, /Starting Nest application/, `node did not start the service:\n${logs}`);
        // mongoose waits for its server silently: still running after the window counts as waiting
        assert.ok(
          live || waitingForDeps.test(logs) || running,
          `exited without waiting for a dependency:\n${logs}`,
        );
        runner.b.podman(['rm', '--force', '--time', '2', s.name], 'podman rm', { allowFail: true });
      });
    }
  },
);
