import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  jaegerConfig,
  kafkaJvmArgs,
  kafkaLog4j2Properties,
  kafkaServerProperties,
  postgresArgs,
  prometheusArgs,
  prometheusConfig,
  redisConf,
} from '../render.ts';
import { resolvePorts, SERVICE_NAMES } from '../topology.ts';

function props(text: string): Map<string, string> {
  return new Map(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as [string, string]),
  );
}

describe('kafka', () => {
  it('renders a single-node KRaft broker+controller on loopback, without topic auto-creation', () => {
    const p = props(kafkaServerProperties({ ports: resolvePorts('test', {}), logDir: '/d/kafka' }));
    assert.equal(p.get('process.roles'), 'broker,controller');
    assert.equal(p.get('controller.quorum.voters'), '1@127.0.0.1:19093');
    assert.equal(p.get('listeners'), 'PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    assert.equal(p.get('advertised.listeners'), 'PLAINTEXT://127.0.0.1:19092');
    assert.equal(p.get('auto.create.topics.enable'), 'false');
    assert.equal(p.get('num.partitions'), '3');
    assert.equal(p.get('offsets.topic.replication.factor'), '1');
    assert.equal(p.get('transaction.state.log.replication.factor'), '1');
    assert.equal(p.get('transaction.state.log.min.isr'), '1');
    assert.equal(p.get('group.initial.rebalance.delay.ms'), '0');
    assert.equal(p.get('log.dirs'), '/d/kafka');
    assert.ok(Number(p.get('log.retention.ms')) <= 24 * 3_600_000);
  });

  it('logs through log4j2 to stdout and points the JVM at it', () => {
    assert.match(kafkaLog4j2Properties(), /appender\.stdout\.type = Console/);
    const args = kafkaJvmArgs({
      log4j2File: '/c/log4j2.properties',
      logsDir: '/l',
      libsDir: '/libs',
    });
    assert.ok(args.includes('-Dlog4j2.configurationFile=/c/log4j2.properties'));
    assert.deepEqual(args.slice(-2), ['-cp', '/libs/*']);
  });
});

describe('postgres', () => {
  it('listens on loopback only, no unix socket', () => {
    const args = postgresArgs('/data', 64320);
    assert.deepEqual(args.slice(0, 2), ['-D', '/data']);
    assert.ok(args.includes('listen_addresses=127.0.0.1'));
    assert.ok(args.includes('port=64320'));
    assert.ok(args.includes('unix_socket_directories='));
  });

  it('logs errors without the values of the failed statement', () => {
    const args = postgresArgs('/data', 64320);
    assert.ok(args.includes('log_error_verbosity=terse'));
    assert.ok(args.includes('log_min_error_statement=panic'));
  });
});

describe('redis', () => {
  it('binds loopback, stays in the foreground and persists nothing', () => {
    const c = redisConf({ port: 16379, dir: '/data/redis' });
    for (const line of [
      'port 16379',
      'bind 127.0.0.1',
      'daemonize no',
      'dir /data/redis',
      'appendonly no',
      'save ""',
    ]) {
      assert.ok(c.split('\n').includes(line), line);
    }
  });
});

describe('jaeger', () => {
  it('receives OTLP on the profile ports, keeps traces in memory, moves its own ports', () => {
    const y = jaegerConfig(resolvePorts('test', {}));
    for (const s of [
      'endpoint: 127.0.0.1:14317',
      'endpoint: 127.0.0.1:14318',
      'endpoint: 127.0.0.1:26686',
      'endpoint: 127.0.0.1:26685',
      'endpoint: 127.0.0.1:23133',
      'port: 18888',
      'memory:',
      'enable_tracing: false',
    ]) {
      assert.ok(y.includes(s), s);
    }
    assert.ok(!y.includes('0.0.0.0'));
  });
});

describe('prometheus', () => {
  it('scrapes every service every 5s with a service label', () => {
    const y = prometheusConfig({ ports: resolvePorts('dev', {}), ruleGlob: null, profile: 'dev' });
    assert.match(y, /scrape_interval: 5s/);
    assert.ok(!y.includes('rule_files'));
    for (const s of SERVICE_NAMES) {
      assert.ok(y.includes(`job_name: ${s}\n`), s);
      assert.ok(y.includes(`service: ${s}\n`), s);
    }
    // The gateway's metrics are on its management port, never on the public one.
    assert.ok(y.includes("targets: ['127.0.0.1:9490']"));
    assert.ok(!y.includes("targets: ['127.0.0.1:8080']"));
    assert.ok(y.includes("targets: ['127.0.0.1:9405']"));
  });

  it('scrapes every replica of a scaled service, each with its pod label', () => {
    const y = prometheusConfig({
      ports: resolvePorts('test', {}, { inventory: 3 }),
      ruleGlob: null,
      profile: 'test',
    });
    const job = y.slice(y.indexOf('job_name: inventory\n'), y.indexOf('job_name: pricing\n'));
    assert.equal(job.match(/targets:/g)?.length, 3);
    for (const [pod, port] of [
      ['inventory', 19403],
      ['inventory#2', 19413],
      ['inventory#3', 19423],
    ] as const) {
      assert.ok(job.includes(`targets: ['127.0.0.1:${port}']`), pod);
      assert.ok(job.includes(`pod: '${pod}'`), pod);
    }
    assert.ok(y.includes(`pod: 'pricing'`));
  });

  it('loads the repo rules when they exist', () => {
    const y = prometheusConfig({
      ports: resolvePorts('dev', {}),
      ruleGlob: '/repo/observability/prometheus/rules/*.yml',
      profile: 'dev',
    });
    assert.match(y, /rule_files:\n {2}- '\/repo\/observability\/prometheus\/rules\/\*\.yml'/);
  });
});

describe('prometheus args', () => {
  it('serves the dashboards as console pages when the folders exist, and nothing else extra', () => {
    const base = { configFile: '/c/prometheus.yml', dataDir: '/d/prometheus', port: 19090 };
    const withConsoles = prometheusArgs({
      ...base,
      consoles: { templates: '/r/consoles', libraries: '/r/console_libraries' },
    });
    assert.ok(withConsoles.includes('--web.console.templates=/r/consoles'));
    assert.ok(withConsoles.includes('--web.console.libraries=/r/console_libraries'));
    assert.ok(withConsoles.includes('--web.listen-address=127.0.0.1:19090'));
    const without = prometheusArgs({ ...base, consoles: null });
    assert.equal(
      without.some((a) => a.startsWith('--web.console')),
      false,
    );
  });
});
