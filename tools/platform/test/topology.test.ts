import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import {
  allPorts,
  checkReplicas,
  COMPONENTS,
  EPHEMERAL_PORTS,
  grpcTarget,
  managementPort,
  maskEnv,
  MAX_REPLICAS,
  parseReplicaName,
  portEnvNames,
  profileComponents,
  replicaName,
  replicasOf,
  resolvePorts,
  resolveProfile,
  screaming,
  serviceEnv,
  SERVICE_NAMES,
  startWaves,
  withDependencies,
  type PlatformSecrets,
} from '../topology.ts';

const secrets: PlatformSecrets = {
  jwtSecret: 'j'.repeat(48),
  postgresSuperuserPassword: 'super',
  servicePasswords: {
    user: 'pw-user',
    inventory: 'pw-inv',
    pricing: 'pw-pri',
    order: 'pw-ord',
    payment: 'pw-pay',
    shipping: 'pw-shp',
  },
};

describe('ports', () => {
  it('uses the conventions ports in dev and adds 10000 in test', () => {
    const dev = resolvePorts('dev', {});
    const test = resolvePorts('test', {});
    assert.equal(dev.gateway?.http, 8080);
    assert.equal(dev.user?.grpc, 50051);
    assert.equal(dev.user?.http, 9401);
    assert.equal(dev.notification?.grpc, 50058);
    assert.equal(dev.postgres?.main, 54320);
    assert.deepEqual(dev.kafka, { broker: 9092, controller: 9093 });
    assert.equal(dev.ferretdb?.main, 27017);
    assert.equal(dev.redis?.main, 6379);
    assert.equal(dev.prometheus?.main, 9090);
    assert.equal(dev.jaeger?.ui, 16686);
    assert.equal(dev.jaeger?.otlpGrpc, 4317);
    assert.equal(dev.jaeger?.otlpHttp, 4318);
    for (const { component, key, port } of allPorts(dev)) {
      const plus = port + 10000;
      const ephemeral = plus >= EPHEMERAL_PORTS.from && plus <= EPHEMERAL_PORTS.to;
      assert.equal(test[component]?.[key], ephemeral ? port - 20000 : plus, `${component}.${key}`);
    }
    assert.equal(test.user?.grpc, 30051);
    assert.equal(test.ferretdb?.main, 7017);
    assert.equal(test.postgres?.main, 64320);
    assert.equal(test.gateway?.http, 18080);
  });

  it('keeps every test-profile port out of the ephemeral range', () => {
    for (const { component, key, port } of allPorts(resolvePorts('test', {}))) {
      assert.ok(
        port < EPHEMERAL_PORTS.from || port > EPHEMERAL_PORTS.to,
        `${component}.${key} = ${port} is an ephemeral port`,
      );
    }
  });

  it('has no port twice, and no port shared between profiles', () => {
    const dev = allPorts(resolvePorts('dev', {})).map((p) => p.port);
    const test = allPorts(resolvePorts('test', {})).map((p) => p.port);
    assert.equal(new Set(dev).size, dev.length);
    assert.equal(new Set([...dev, ...test]).size, dev.length + test.length);
    assert.ok(test.every((p) => p < 65536));
  });

  it('names the override variables', () => {
    assert.equal(screaming('otlpGrpc'), 'OTLP_GRPC');
    assert.deepEqual(portEnvNames('gateway', 'http', true), [
      'ORDERMESH_GATEWAY_HTTP_PORT',
      'ORDERMESH_GATEWAY_PORT',
    ]);
    assert.deepEqual(portEnvNames('kafka', 'controller', false), [
      'ORDERMESH_KAFKA_CONTROLLER_PORT',
    ]);
    assert.deepEqual(portEnvNames('postgres', 'main', true), ['ORDERMESH_POSTGRES_PORT']);
  });

  it('applies overrides as absolute ports, the specific name winning over the alias', () => {
    const p = resolvePorts('test', {
      ORDERMESH_GATEWAY_PORT: '7000',
      ORDERMESH_KAFKA_PORT: '7001',
      ORDERMESH_KAFKA_BROKER_PORT: '7002',
      ORDERMESH_USER_GRPC_PORT: '7003',
      ORDERMESH_JAEGER_OTLP_HTTP_PORT: '7004',
    });
    assert.equal(p.gateway?.http, 7000);
    assert.equal(p.kafka?.broker, 7002);
    assert.equal(p.kafka?.controller, 19093);
    assert.equal(p.user?.grpc, 7003);
    assert.equal(p.jaeger?.otlpHttp, 7004);
  });

  it('rejects bad and clashing overrides', () => {
    assert.throws(() => resolvePorts('dev', { ORDERMESH_REDIS_PORT: 'x' }), /not a valid TCP port/);
    assert.throws(
      () => resolvePorts('dev', { ORDERMESH_REDIS_PORT: '70000' }),
      /not a valid TCP port/,
    );
    assert.throws(() => resolvePorts('dev', { ORDERMESH_REDIS_PORT: '9092' }), /used twice/);
  });
});

describe('profiles', () => {
  it('defaults to dev, reads ORDERMESH_PROFILE, the flag wins', () => {
    assert.equal(resolveProfile(undefined, {}), 'dev');
    assert.equal(resolveProfile(undefined, { ORDERMESH_PROFILE: 'test' }), 'test');
    assert.equal(resolveProfile('dev', { ORDERMESH_PROFILE: 'test' }), 'dev');
    assert.throws(() => resolveProfile('prod', {}), /unknown profile/);
  });
});

describe('dependencies', () => {
  it('starts infrastructure first, then services after what they call', () => {
    const waves = startWaves(COMPONENTS.map((c) => c.name));
    const waveOf = (n: string): number => waves.findIndex((w) => w.includes(n));
    for (const c of COMPONENTS) {
      for (const d of c.dependsOn) assert.ok(waveOf(d) < waveOf(c.name), `${d} before ${c.name}`);
      if (c.kind === 'service') assert.ok(waveOf(c.name) > 0);
    }
    assert.deepEqual(waves[0]?.sort(), [
      'ferretdb',
      'jaeger',
      'kafka',
      'postgres',
      'prometheus',
      'redis',
      'victorialogs',
      'zipkin',
    ]);
    assert.deepEqual(waves.at(-2), ['gateway']);
    assert.deepEqual(waves.at(-1), ['storefront']);
  });

  it('brings in transitive dependencies', () => {
    const set = withDependencies(['order']);
    for (const n of [
      'postgres',
      'kafka',
      'jaeger',
      'victorialogs',
      'ferretdb',
      'user',
      'product',
      'inventory',
      'pricing',
      'payment',
      'order',
    ]) {
      assert.ok(set.includes(n), n);
    }
    assert.ok(!set.includes('gateway'));
    assert.ok(!set.includes('prometheus'));
    assert.deepEqual(withDependencies(['redis']), ['redis']);
    assert.throws(() => withDependencies(['nope']), /unknown component/);
  });
});

describe('service environment', () => {
  it('gives a PostgreSQL service its own database URL and the common settings', () => {
    const env = serviceEnv('order', 'dev', resolvePorts('dev', {}), secrets, {});
    assert.equal(env.NODE_ENV, 'development');
    assert.equal(env.LOG_LEVEL, 'info');
    assert.equal(env.HTTP_PORT, '9405');
    assert.equal(env.GRPC_PORT, '50055');
    assert.equal(env.SHUTDOWN_TIMEOUT_MS, '10000');
    assert.equal(env.KAFKA_BROKERS, '127.0.0.1:9092');
    assert.equal(env.DATABASE_URL, 'postgres://order_svc:pw-ord@127.0.0.1:54320/order_svc');
    assert.equal(env.USER_GRPC_ADDR, '127.0.0.1:50051');
    assert.equal(env.SHIPPING_GRPC_ADDR, '127.0.0.1:50057');
    // only the addresses of what it calls (apps/order/src/config/grpc-calls.ts), as in the chart
    assert.equal(env.NOTIFICATION_GRPC_ADDR, undefined);
    assert.equal(env.GATEWAY_GRPC_ADDR, undefined);
    assert.equal(env.OTEL_SERVICE_NAME, 'order');
    assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://127.0.0.1:4318');
    assert.equal(env.OTEL_TRACES_SAMPLER, 'parentbased_traceidratio');
    assert.equal(env.OTEL_TRACES_SAMPLER_ARG, '1');
    assert.equal(
      env.OTEL_RESOURCE_ATTRIBUTES,
      'deployment.environment.name=local-dev,service.instance.id=order',
    );
    // the token secret only where tokens are signed (the gateway); no service reads the admin's
    assert.equal(env.JWT_SECRET, undefined);
    assert.equal(env.JWT_ISSUER, undefined);
    assert.equal(env.ORDERMESH_ADMIN_PASSWORD, undefined);
    assert.equal(env.PAYMENT_TEST_CONTROLS, undefined);
    assert.equal(env.FAULT_INJECTION, undefined);
    assert.equal(env.MONGODB_URL, undefined);
    assert.equal(env.REDIS_URL, undefined);
  });

  it('gives the gateway Redis db 0 and no gRPC port; notification Redis db 1; product MongoDB', () => {
    const ports = resolvePorts('test', {});
    const gw = serviceEnv('gateway', 'test', ports, secrets, {});
    assert.equal(gw.GRPC_PORT, undefined);
    assert.equal(gw.HTTP_PORT, '18080');
    assert.equal(gw.REDIS_URL, 'redis://127.0.0.1:16379/0');
    assert.equal(gw.DATABASE_URL, undefined);
    assert.equal(gw.TRUSTED_PROXIES, 'loopback');
    assert.equal(
      serviceEnv('notification', 'test', ports, secrets, {}).REDIS_URL,
      'redis://127.0.0.1:16379/1',
    );
    assert.equal(
      serviceEnv('product', 'test', ports, secrets, {}).MONGODB_URL,
      'mongodb://127.0.0.1:7017/product',
    );
  });

  it('enables test controls only in the test profile (payment test controls on payment only)', () => {
    const ports = resolvePorts('test', {});
    const env = serviceEnv('payment', 'test', ports, secrets, {});
    assert.equal(env.PAYMENT_TEST_CONTROLS, 'enabled');
    assert.equal(env.FAULT_INJECTION, 'enabled');
    assert.match(env.OTEL_RESOURCE_ATTRIBUTES ?? '', /^deployment\.environment\.name=local-test,/);
    assert.equal(serviceEnv('order', 'test', ports, secrets, {}).PAYMENT_TEST_CONTROLS, undefined);
    assert.equal(serviceEnv('order', 'test', ports, secrets, {}).FAULT_INJECTION, 'enabled');
    assert.equal(
      serviceEnv('payment', 'dev', resolvePorts('dev', {}), secrets, {}).PAYMENT_TEST_CONTROLS,
      undefined,
    );
  });

  it('gives Kafka and the token secret only to the services that use them', () => {
    const ports = resolvePorts('dev', {});
    const gw = serviceEnv('gateway', 'dev', ports, secrets, {});
    assert.equal(gw.JWT_SECRET, secrets.jwtSecret);
    assert.equal(gw.JWT_ISSUER, 'ordermesh-local');
    assert.equal(gw.JWT_AUDIENCE, 'ordermesh-api');
    assert.equal(gw.KAFKA_BROKERS, undefined);
    assert.equal(gw.ORDER_GRPC_ADDR, '127.0.0.1:50055');
    assert.equal(gw.PAYMENT_GRPC_ADDR, undefined); // the gateway calls no payment RPC
    assert.equal(serviceEnv('product', 'dev', ports, secrets, {}).KAFKA_BROKERS, undefined);
    assert.equal(
      serviceEnv('inventory', 'dev', ports, secrets, {}).KAFKA_BROKERS,
      '127.0.0.1:9092',
    );
  });

  it('sends spans to Jaeger, and on the dev profile also to the Zipkin viewer', () => {
    assert.deepEqual(profileComponents('test').includes('zipkin'), false);
    assert.deepEqual(profileComponents('dev').includes('zipkin'), true);
    const dev = serviceEnv('order', 'dev', resolvePorts('dev', {}), secrets, {});
    assert.equal(dev.OTEL_TRACES_EXPORTER, 'otlp,zipkin');
    assert.equal(dev.OTEL_EXPORTER_ZIPKIN_ENDPOINT, 'http://127.0.0.1:9511/api/v2/spans');
    const test = serviceEnv('order', 'test', resolvePorts('test', {}), secrets, {});
    assert.equal(test.OTEL_TRACES_EXPORTER, undefined);
    const shop = serviceEnv('storefront', 'dev', resolvePorts('dev', {}), secrets, {});
    assert.equal(shop.TRACE_URL_TEMPLATE, 'http://127.0.0.1:9511/zipkin/traces/{traceId}');
    assert.equal(shop.GATEWAY_URL, 'http://127.0.0.1:8080/api/v1');
    // A client of the public API only: no database, broker, gRPC address or signing secret.
    assert.deepEqual(
      Object.keys(shop).filter((k) => /DATABASE|KAFKA|GRPC|JWT|REDIS|MONGO/.test(k)),
      [],
    );
    const testShop = serviceEnv('storefront', 'test', resolvePorts('test', {}), secrets, {});
    assert.equal(testShop.STOREFRONT_TEST_CONTROLS, 'enabled');
    assert.equal(testShop.TRACE_URL_TEMPLATE, 'http://127.0.0.1:26686/trace/{traceId}');
  });

  it('binds every service to loopback (HOST), the storefront included', () => {
    for (const profile of ['dev', 'test'] as const) {
      const ports = resolvePorts(profile, {});
      for (const s of SERVICE_NAMES) {
        assert.equal(
          serviceEnv(s, profile, ports, secrets, {}).HOST,
          '127.0.0.1',
          `${profile} ${s}`,
        );
      }
    }
  });

  it('gives the public services a management port (readiness, metrics); the others keep HTTP', () => {
    const dev = resolvePorts('dev', {});
    const test = resolvePorts('test', {});
    assert.equal(serviceEnv('gateway', 'dev', dev, secrets, {}).MANAGEMENT_PORT, '9490');
    assert.equal(serviceEnv('storefront', 'dev', dev, secrets, {}).MANAGEMENT_PORT, '9491');
    assert.equal(serviceEnv('gateway', 'test', test, secrets, {}).MANAGEMENT_PORT, '19490');
    assert.equal(managementPort(test, 'gateway'), 19490);
    assert.equal(serviceEnv('order', 'dev', dev, secrets, {}).MANAGEMENT_PORT, undefined);
    assert.equal(managementPort(dev, 'order'), 9405);
  });

  it('lets only the test profile trust loopback proxies with the client address', () => {
    const test = resolvePorts('test', {});
    assert.equal(serviceEnv('gateway', 'test', test, secrets, {}).TRUSTED_PROXIES, 'loopback');
    assert.equal(serviceEnv('order', 'test', test, secrets, {}).TRUSTED_PROXIES, undefined);
    const dev = serviceEnv('gateway', 'dev', resolvePorts('dev', {}), secrets, {});
    assert.equal(dev.TRUSTED_PROXIES, undefined);
    assert.equal(dev.TRUSTED_PROXY_HOPS, undefined);
  });

  it("ships every service's log records to VictoriaLogs over OTLP, spans still to Jaeger", () => {
    for (const profile of ['dev', 'test'] as const) {
      assert.ok(profileComponents(profile).includes('victorialogs'), profile);
      const ports = resolvePorts(profile, {});
      const logs = `http://127.0.0.1:${ports.victorialogs?.main}/insert/opentelemetry/v1/logs`;
      for (const s of SERVICE_NAMES) {
        const env = serviceEnv(s, profile, ports, secrets, {});
        assert.equal(env.OTEL_LOGS_EXPORTER, 'otlp', s);
        assert.equal(env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT, logs, s);
        assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, `http://127.0.0.1:${ports.jaeger?.otlpHttp}`);
      }
    }
    // Clear of the services' 94xx HTTP ports and every replica's; the test profile outside the
    // ephemeral range.
    assert.equal(resolvePorts('dev', {}).victorialogs?.main, 9528);
    assert.equal(resolvePorts('test', {}).victorialogs?.main, 19528);
    assert.doesNotThrow(() => resolvePorts('dev', {}, { notification: 9, user: 9 }));
  });

  it('computes an environment for every service', () => {
    for (const s of SERVICE_NAMES)
      assert.equal(serviceEnv(s, 'dev', resolvePorts('dev', {}), secrets, {}).OTEL_SERVICE_NAME, s);
    assert.throws(
      () => serviceEnv('kafka', 'dev', resolvePorts('dev', {}), secrets, {}),
      /infrastructure/,
    );
  });

  it("starts every service, the storefront included, with the chart's heap", () => {
    const values = parse(
      readFileSync(new URL('../../../charts/ordermesh/values.yaml', import.meta.url), 'utf8'),
    );
    const { maxOldSpaceMiB, maxSemiSpaceMiB } = values.default.heap;
    for (const s of [...SERVICE_NAMES, 'storefront'])
      assert.equal(
        serviceEnv(s, 'dev', resolvePorts('dev', {}), secrets, {}).NODE_OPTIONS,
        `--max-old-space-size=${maxOldSpaceMiB} --max-semi-space-size=${maxSemiSpaceMiB}`,
      );
  });

  it('passes OTEL_SDK_DISABLED from the host to services (tracing off), and nothing else', () => {
    const ports = resolvePorts('dev', {});
    const off = serviceEnv('order', 'dev', ports, secrets, {
      OTEL_SDK_DISABLED: 'true',
      OTEL_TRACES_SAMPLER_ARG: '0.5',
    });
    assert.equal(off.OTEL_SDK_DISABLED, 'true');
    assert.equal(off.OTEL_TRACES_SAMPLER_ARG, '1');
    assert.equal(serviceEnv('order', 'dev', ports, secrets, {}).OTEL_SDK_DISABLED, undefined);
  });

  it('masks secrets and URL passwords', () => {
    const masked = maskEnv(serviceEnv('user', 'dev', resolvePorts('dev', {}), secrets, {}));
    assert.equal(masked.DATABASE_URL, 'postgres://user_svc:********@127.0.0.1:54320/user_svc');
    assert.equal(masked.KAFKA_BROKERS, '127.0.0.1:9092');
    assert.ok(!JSON.stringify(masked).includes('pw-user'));
    const gateway = maskEnv(serviceEnv('gateway', 'dev', resolvePorts('dev', {}), secrets, {}));
    assert.equal(gateway.JWT_SECRET, '********');
    assert.ok(!JSON.stringify(gateway).includes(secrets.jwtSecret));
    assert.ok(!JSON.stringify(masked).includes(secrets.jwtSecret));
  });
});

describe('replicas', () => {
  it('names replica 1 like the service and the others <service>#<k>', () => {
    assert.equal(replicaName('inventory', 1), 'inventory');
    assert.equal(replicaName('inventory', 3), 'inventory#3');
    assert.deepEqual(parseReplicaName('inventory#3'), { service: 'inventory', index: 3 });
    assert.deepEqual(parseReplicaName('inventory#1'), { service: 'inventory', index: 1 });
    assert.deepEqual(parseReplicaName('inventory'), { service: 'inventory', index: 1 });
    for (const bad of [
      'inventory#0',
      'inventory#',
      'inventory#x',
      'inventory#02',
      'kafka#2',
      'nope#2',
    ])
      assert.equal(parseReplicaName(bad), null, bad);
  });

  it("allocates replica k the first replica's ports + 10 × (k − 1)", () => {
    const dev = resolvePorts('dev', {}, { inventory: 3 });
    assert.deepEqual(dev['inventory'], { http: 9403, grpc: 50053 });
    assert.deepEqual(dev['inventory#2'], { http: 9413, grpc: 50063 });
    assert.deepEqual(dev['inventory#3'], { http: 9423, grpc: 50073 });
    assert.equal(dev['inventory#4'], undefined);
    assert.deepEqual(replicasOf(dev, 'inventory'), ['inventory', 'inventory#2', 'inventory#3']);
    assert.deepEqual(replicasOf(dev, 'product'), ['product']);
    const test = resolvePorts('test', {}, { inventory: 3 });
    assert.deepEqual(test['inventory#2'], { http: 19413, grpc: 30063 });
    assert.deepEqual(test['inventory#3'], { http: 19423, grpc: 30073 });
    // replicas follow an overridden first port
    const moved = resolvePorts('dev', { ORDERMESH_INVENTORY_GRPC_PORT: '41000' }, { inventory: 2 });
    assert.equal(moved['inventory#2']?.grpc, 41010);
  });

  it('keeps the ports of every service at its maximum replicas unique and, in test, not ephemeral', () => {
    const all = Object.fromEntries(
      // The HTTP-only services (gateway, storefront) are not scaled locally.
      SERVICE_NAMES.filter((s) => s !== 'gateway' && s !== 'storefront').map((s) => [
        s,
        MAX_REPLICAS,
      ]),
    );
    for (const profile of ['dev', 'test'] as const) {
      const ports = allPorts(resolvePorts(profile, {}, all));
      assert.equal(new Set(ports.map((p) => p.port)).size, ports.length, profile);
      if (profile === 'test')
        for (const { component, key, port } of ports)
          assert.ok(
            port < EPHEMERAL_PORTS.from || port > EPHEMERAL_PORTS.to,
            `${component}.${key}`,
          );
    }
  });

  it('refuses a replica port that another component holds', () => {
    // inventory#2 would take 9413 = user's HTTP port moved there
    assert.throws(
      () => resolvePorts('dev', { ORDERMESH_USER_HTTP_PORT: '9413' }, { inventory: 2 }),
      /port 9413 is used twice: user\.http and inventory#2\.http/,
    );
  });

  it('checks replica counts', () => {
    checkReplicas({ inventory: 1, product: MAX_REPLICAS });
    assert.throws(() => checkReplicas({ inventory: 0 }), /from 1 to 9/);
    assert.throws(() => checkReplicas({ inventory: MAX_REPLICAS + 1 }), /from 1 to 9/);
    assert.throws(() => checkReplicas({ inventory: 1.5 }), /integer/);
    assert.throws(() => checkReplicas({ gateway: 2 }), /gateway cannot be scaled locally/);
    assert.throws(() => checkReplicas({ kafka: 2 }), /infrastructure/);
  });

  it('gives callers every replica as an ipv4: address list, one replica as host:port', () => {
    const ports = resolvePorts('test', {}, { inventory: 3 });
    assert.equal(
      grpcTarget(ports, 'inventory'),
      'ipv4:127.0.0.1:30053,127.0.0.1:30063,127.0.0.1:30073',
    );
    assert.equal(grpcTarget(ports, 'pricing'), '127.0.0.1:30054');
    for (const caller of ['product', 'order', 'gateway']) {
      const env = serviceEnv(caller, 'test', ports, secrets, {});
      assert.equal(env.INVENTORY_GRPC_ADDR, 'ipv4:127.0.0.1:30053,127.0.0.1:30063,127.0.0.1:30073');
      assert.equal(env.PRICING_GRPC_ADDR, '127.0.0.1:30054');
    }
  });

  it("gives a replica its own ports and the service's everything else", () => {
    const ports = resolvePorts('test', {}, { inventory: 2 });
    const first = serviceEnv('inventory', 'test', ports, secrets, {});
    const second = serviceEnv('inventory#2', 'test', ports, secrets, {});
    assert.equal(second.HTTP_PORT, '19413');
    assert.equal(second.GRPC_PORT, '30063');
    assert.equal(second.OTEL_SERVICE_NAME, 'inventory');
    assert.match(second.OTEL_RESOURCE_ATTRIBUTES ?? '', /service\.instance\.id=inventory#2$/);
    for (const key of ['DATABASE_URL', 'KAFKA_BROKERS', 'INVENTORY_GRPC_ADDR', 'JWT_SECRET'])
      assert.equal(second[key], first[key], key);
    assert.throws(() => serviceEnv('inventory#3', 'test', ports, secrets, {}), /no port|unknown/);
  });
});

describe('the chart', () => {
  it('gives every service the ports of the dev profile (one table: topology.ts)', () => {
    const values = parse(
      readFileSync(new URL('../../../charts/ordermesh/values.yaml', import.meta.url), 'utf8'),
    ) as { components: Record<string, { ports: Record<string, number> }> };
    const dev = resolvePorts('dev', {});
    for (const service of SERVICE_NAMES) {
      const chart = values.components[service]?.ports ?? {};
      const local = dev[service] ?? {};
      for (const key of new Set([...Object.keys(local), ...Object.keys(chart)])) {
        // The chart spells "none" as 0 (grpc: 0, management: 0).
        assert.equal(chart[key] || undefined, local[key], `${service}.${key}`);
      }
    }
  });
});
