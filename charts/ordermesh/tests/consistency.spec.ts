/* eslint-disable @typescript-eslint/no-explicit-any -- rendered manifests are untyped YAML; lookups are asserted by the tests */
// The chart against what the services declare: env vars (envSchema), the gRPC call graph
// (grpcCalls), Service ports, Istio AuthorizationPolicies and NetworkPolicies.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  bytes,
  CHART,
  find,
  helm,
  must,
  NAMESPACE,
  type Obj,
  parseManifests,
  podMeta,
  podSpec,
  rendered,
  ROOT,
  selects,
  services,
  templateArgs,
  values,
} from './support/chart';
import {
  EVENT_TYPES,
  getEventDefinition,
  heapNodeOptions,
  logBatchEnv,
  SERVICE_HEAP,
} from '@ordermesh/contracts';
import {
  grpcAddrKey,
  grpcPath,
  loadContract,
  requiredEnv,
  type Contract,
} from './support/contracts';

const SERVICES = services();
const contracts = new Map<string, Contract>(SERVICES.map((s) => [s, loadContract(s)]));
const TRUST = 'cluster.local';
const principal = (sa: string) => `${TRUST}/ns/${NAMESPACE}/sa/${sa}`;

/** The container env of a Deployment with secrets/fields replaced by stand-ins and $(VAR) expanded, as the kubelet would. */
function resolvedEnv(dep: Obj): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of podSpec(dep).containers[0].env) {
    if (e.valueFrom?.secretKeyRef) env[e.name] = 's3cretS3cretS3cretS3cretS3cretS3cretS3cretS3cret';
    else if (e.valueFrom?.fieldRef) env[e.name] = 'pod-0';
    else env[e.name] = String(e.value).replace(/\$\(([A-Z0-9_]+)\)/g, (m, v) => env[v] ?? m);
  }
  return env;
}

/** The keys of a zod object schema (through a refinement or pipe). */
function envShape(schema: unknown): Record<string, unknown> {
  const s = schema as { shape?: object; _def?: { schema?: unknown; in?: unknown } } | undefined;
  if (s?.shape) return s.shape as Record<string, unknown>;
  const inner = s?._def?.schema ?? s?._def?.in;
  return inner ? envShape(inner) : {};
}

/**
 * The variables a README names in backticks; `USER/PRODUCT_GRPC_ADDR` names USER_GRPC_ADDR and
 * PRODUCT_GRPC_ADDR.
 */
function documentedEnv(readme: string): Set<string> {
  const names = new Set<string>();
  for (const [, token] of readme.matchAll(/`([A-Z][A-Z0-9_/]*)`/g)) {
    const parts = token!.split('/');
    const last = parts.at(-1)!;
    const suffix = last.includes('_') ? last.slice(last.indexOf('_')) : '';
    for (const part of parts) names.add(part === last ? part : `${part}${suffix}`);
  }
  return names;
}

const labelsOf = (name: string) => ({
  'app.kubernetes.io/name': name,
  'app.kubernetes.io/instance': 'ordermesh',
});

/** service → set of peers a NetworkPolicy rule list allows, with ports */
function peers(rules: any[] | undefined, key: 'from' | 'to'): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const rule of rules ?? []) {
    for (const peer of rule[key] ?? []) {
      const name = peer.podSelector?.matchLabels?.['app.kubernetes.io/name'];
      if (!name || peer.namespaceSelector) continue;
      out.set(name, [...(out.get(name) ?? []), ...rule.ports.map((p: any) => p.port)].sort());
    }
  }
  return out;
}

describe.each(SERVICES.map((s) => [s]))('%s', (svc) => {
  const c = contracts.get(svc)!;
  const objs = rendered('defaults');
  const v = values().components[svc];
  const dep = must(objs, 'Deployment', svc);
  const calls = c.grpcCalls ?? {};
  const callees = Object.keys(calls).sort();
  const callers = SERVICES.filter((other) =>
    Object.keys(contracts.get(other)!.grpcCalls ?? {}).includes(svc),
  ).sort();

  it(`declares its env schema and gRPC calls (env: ${c.envSource}; calls: ${c.callsSource})`, () => {
    expect(c.problems).toEqual([]);
  });

  it('the Deployment sets every required env var, and only declared ones (+ OTEL_*, K8S_*, NODE_OPTIONS)', () => {
    const names = podSpec(dep).containers[0].env.map((e: any) => e.name);
    const schema = c.envSchema!;
    expect(requiredEnv(schema).filter((k) => !names.includes(k))).toEqual([]);
    expect(
      names.filter((n: string) => !(n in schema.shape) && !/^(OTEL_|K8S_|NODE_OPTIONS$)/.test(n)),
    ).toEqual([]);
  });

  it("runs with the manifest's heap (NODE_OPTIONS), as the local platform does, inside its memory limit", () => {
    expect(resolvedEnv(dep)['NODE_OPTIONS']).toBe(heapNodeOptions());
    const limit = bytes(podSpec(dep).containers[0].resources.limits.memory);
    // old space plus the three semi-spaces of the young generation leave room for code and buffers
    expect((SERVICE_HEAP.maxOldSpaceMiB + 3 * SERVICE_HEAP.maxSemiSpaceMiB) * 2 ** 20).toBeLessThan(
      limit * 0.75,
    );
  });

  it('its README documents every variable of its env schema', () => {
    const keys = Object.keys(envShape(c.envSchema));
    expect(keys.length).toBeGreaterThan(3);
    const documented = documentedEnv(
      readFileSync(path.join(ROOT, 'apps', svc, 'README.md'), 'utf8'),
    );
    expect(keys.filter((k) => !documented.has(k))).toEqual([]);
  });

  it('the rendered env passes the service env schema', () => {
    const r = c.envSchema!.safeParse(resolvedEnv(dep));
    expect(r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(
      [],
    );
  });

  it('grpcCalls and the *_GRPC_ADDR keys of envSchema name the same downstream services', () => {
    const addrKeys = Object.keys(c.envSchema!.shape)
      .filter((k) => k.endsWith('_GRPC_ADDR'))
      .sort();
    expect(addrKeys).toEqual(callees.map(grpcAddrKey).sort());
    for (const callee of callees) expect(SERVICES).toContain(callee);
  });

  it('every *_GRPC_ADDR resolves to a rendered Service port named grpc', () => {
    const env = resolvedEnv(dep);
    for (const callee of callees) {
      // With Istio: the ClusterIP Service (the sidecar balances per call).
      const [host, port] = env[grpcAddrKey(callee)]!.split(':');
      const target = must(objs, 'Service', host!.split('.')[0]!);
      expect(target.metadata.name).toBe(callee);
      expect(target.spec.clusterIP).not.toBe('None');
      expect(target.spec.ports.find((p: any) => p.port === Number(port))?.name).toBe('grpc');
    }
  });

  it('without Istio, every *_GRPC_ADDR is a dns:/// target of a headless Service of the callee pods', () => {
    const all = rendered('istio-off');
    const deployment = must(all, 'Deployment', svc);
    const env = resolvedEnv(deployment);
    for (const callee of callees) {
      const match = /^dns:\/\/\/([a-z0-9-]+):(\d+)$/.exec(env[grpcAddrKey(callee)]!);
      expect([callee, match?.[1]]).toEqual([callee, `${callee}-grpc`]);
      const headless = must(all, 'Service', match![1]!);
      expect(headless.spec.clusterIP).toBe('None');
      expect(headless.spec.ports.find((p: any) => p.port === Number(match![2]))?.name).toBe('grpc');
      expect(selects(headless.spec.selector, podMeta(must(all, 'Deployment', callee)).labels)).toBe(
        true,
      );
    }
    const r = c.envSchema!.safeParse(env);
    expect(r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(
      [],
    );
  });

  it('a public service trusts the Istio ingress, one hop, for the client address; nothing else does', () => {
    const hops = (all: Obj[]) => resolvedEnv(must(all, 'Deployment', svc))['TRUSTED_PROXY_HOPS'];
    expect(hops(objs)).toBe(v.public ? '1' : undefined);
    // Without the mesh the chart has no ingress: the peer is the client.
    expect(hops(rendered('istio-off'))).toBeUndefined();
  });

  it('the chart call graph (files/call-graph.json) matches grpcCalls', () => {
    const graph = JSON.parse(
      readFileSync(path.join(CHART, 'files/call-graph.json'), 'utf8'),
    ).services;
    const declared = Object.fromEntries(callees.map((k) => [k, [...calls[k]!].sort()]));
    expect(graph[svc]).toEqual(declared);
  });

  it('every called method exists in the callee proto', () => {
    for (const callee of callees) {
      const proto = path.join(
        ROOT,
        'libs/contracts/proto/ordermesh',
        callee,
        'v1',
        `${callee}.proto`,
      );
      if (!existsSync(proto)) continue; // the callee's contract is not written yet
      const rpcs = [...readFileSync(proto, 'utf8').matchAll(/^\s*rpc\s+(\w+)\s*\(/gm)].map(
        (m) => m[1],
      );
      expect(calls[callee]!.filter((m) => !rpcs.includes(m))).toEqual([]);
    }
  });

  it('AuthorizationPolicy allows exactly its callers, on exactly the methods they call', () => {
    const ap = must(objs, 'AuthorizationPolicy', svc);
    const rules: any[] = ap.spec.rules ?? [];
    const actual = rules.map((r) => ({
      principals: r.from.flatMap((f: any) => f.source.principals).sort(),
      ports: r.to.flatMap((t: any) => t.operation.ports ?? []).sort(),
      paths: r.to.flatMap((t: any) => t.operation.paths ?? []).sort(),
    }));
    const expected: typeof actual = callers.map((caller) => ({
      principals: [principal(caller)],
      ports: [String(v.ports.grpc)],
      paths: [...contracts.get(caller)!.grpcCalls![svc]!].map((m) => grpcPath(svc, m)).sort(),
    }));
    // The gateway's public REST API is also called inside the mesh by its clients (uses.api).
    if (svc === 'gateway')
      for (const client of SERVICES.filter((s) => values().components[s].uses?.api))
        expected.push({
          principals: [principal(client)],
          ports: [String(v.ports.http)],
          paths: [],
        });
    if (v.public)
      expected.push({
        principals: [...values().istio.ingress.principals].sort(),
        ports: [String(v.ports.http)],
        paths: [],
      });
    const key = (x: { principals: string[] }) => x.principals.join(',');
    expect(actual.sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
      expected.sort((a, b) => key(a).localeCompare(key(b))),
    );
    // every caller runs as its own ServiceAccount, which is what the principal names
    for (const caller of callers)
      expect(podSpec(must(objs, 'Deployment', caller)).serviceAccountName).toBe(caller);
  });

  it.each([['defaults'], ['istio-off']])(
    'NetworkPolicy (%s) allows exactly the call graph',
    (scenario) => {
      const all = rendered(scenario);
      const np = must(all, 'NetworkPolicy', svc);
      expect(
        selects(np.spec.podSelector.matchLabels, podMeta(must(all, 'Deployment', svc)).labels),
      ).toBe(true);
      const ingress = peers(np.spec.ingress, 'from');
      const egress = peers(np.spec.egress, 'to');
      const onlyServices = (m: Map<string, number[]>) =>
        Object.fromEntries([...m].filter(([k]) => SERVICES.includes(k)));
      // Besides gRPC: the clients of the gateway's REST API (uses.api) reach its HTTP port.
      const apiClients = SERVICES.filter((s) => values().components[s].uses?.api);
      const gatewayHttp = values().components['gateway'].ports.http;
      expect(onlyServices(ingress)).toEqual(
        Object.fromEntries([
          ...callers.map((k) => [k, [v.ports.grpc]]),
          ...(svc === 'gateway' ? apiClients.map((k) => [k, [gatewayHttp]]) : []),
        ]),
      );
      expect(onlyServices(egress)).toEqual(
        Object.fromEntries([
          ...callees.map((k) => [k, [values().components[k].ports.grpc]]),
          ...(v.uses?.api ? [['gateway', [gatewayHttp]]] : []),
        ]),
      );
      // the callee side agrees
      for (const callee of callees)
        expect(peers(must(all, 'NetworkPolicy', callee).spec.ingress, 'from').has(svc)).toBe(true);
    },
  );

  it('backing services: env, NetworkPolicy and AuthorizationPolicy agree', () => {
    const env = resolvedEnv(dep);
    const np = must(objs, 'NetworkPolicy', svc);
    const egress = peers(np.spec.egress, 'to');
    const backends: [string, string, number][] = [
      ['DATABASE_URL', 'postgresql', 5432],
      ['MONGODB_URL', 'mongodb', 27017],
      ['REDIS_URL', 'redis', 6379],
      ['KAFKA_BROKERS', 'kafka', 9092],
    ];
    for (const [envName, backend, port] of backends) {
      const uses = envName in env;
      expect([envName, egress.get(backend)]).toEqual([envName, uses ? [port] : undefined]);
      const backendAp = must(objs, 'AuthorizationPolicy', backend);
      const allowed = (backendAp.spec.rules ?? []).flatMap((r: any) =>
        r.from.flatMap((f: any) => f.source.principals),
      );
      expect([backend, allowed.includes(principal(svc))]).toEqual([backend, uses]);
      const backendIngress = peers(must(objs, 'NetworkPolicy', backend).spec.ingress, 'from');
      expect([backend, backendIngress.has(svc)]).toEqual([backend, uses]);
    }
    // everyone sends OTLP to Jaeger and its log records to VictoriaLogs, and is scraped by Prometheus
    expect(egress.get('jaeger')).toEqual([4317, 4318]);
    expect(egress.get('victorialogs')).toEqual([9428]);
    expect(env).toMatchObject({
      OTEL_LOGS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://victorialogs:9428/insert/opentelemetry/v1/logs',
      ...logBatchEnv(),
    });
    expect(
      peers(must(objs, 'NetworkPolicy', 'victorialogs').spec.ingress, 'from').get(svc),
    ).toEqual([9428]);
    const logStore = must(objs, 'AuthorizationPolicy', 'victorialogs');
    expect(
      logStore.spec.rules.flatMap((r: any) => r.from.flatMap((f: any) => f.source.principals)),
    ).toContain(principal(svc));
    const scraped = v.ports.management || v.ports.http;
    expect(peers(np.spec.ingress, 'from').get('prometheus')).toEqual([scraped, 15020].sort());
    expect(
      find(objs, 'NetworkPolicy', 'prometheus')!.spec.egress.some((r: any) =>
        selects(r.to[0]?.podSelector?.matchLabels, labelsOf(svc)),
      ),
    ).toBe(true);
  });

  it('Prometheus scrapes it (pod annotations on the management port, else the HTTP port)', () => {
    expect(podMeta(dep).annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': String(v.ports.management || v.ports.http),
      'prometheus.io/path': '/metrics',
    });
  });
});

describe('Kafka admits exactly the producers and consumers of the event catalogue', () => {
  // Every other workload is kept off the broker (and so cannot forge an event); every service
  // the catalogue names reaches it (else its events would wait in the outbox for ever).
  const clients = [
    ...new Set(
      EVENT_TYPES.flatMap((t) => [
        getEventDefinition(t).producer,
        ...getEventDefinition(t).consumers,
      ]),
    ),
  ].sort();

  it.each([['defaults'], ['ha'], ['istio-off']])('%s', (scenario) => {
    const objs = rendered(scenario);
    const admitted = [...peers(must(objs, 'NetworkPolicy', 'kafka').spec.ingress, 'from').keys()];
    expect(admitted.filter((n) => SERVICES.includes(n)).sort()).toEqual(clients);
    // nothing but the broker itself and the topic Job besides them
    expect(admitted.filter((n) => !SERVICES.includes(n)).sort()).toEqual(
      ['kafka', 'kafka-topics'].filter((n) => admitted.includes(n)),
    );
    const withBrokers = SERVICES.filter(
      (s) =>
        find(objs, 'Deployment', s) && 'KAFKA_BROKERS' in resolvedEnv(must(objs, 'Deployment', s)),
    ).sort();
    expect(withBrokers).toEqual(clients);
    const ap = find(objs, 'AuthorizationPolicy', 'kafka');
    if (ap) {
      const allowed = (ap.spec.rules ?? []).flatMap((r: any) =>
        r.from.flatMap((f: any) => f.source.principals),
      );
      expect(SERVICES.filter((s) => allowed.includes(principal(s))).sort()).toEqual(clients);
    }
  });
});

describe("a component's heap", () => {
  it('is its own when set, the default elsewhere', () => {
    const r = helm(templateArgs(CHART, ['--set', 'components.order.heap.maxOldSpaceMiB=160']));
    expect(r.stderr).toBe('');
    const objs = parseManifests(r.stdout);
    const heap = (svc: string) => resolvedEnv(must(objs, 'Deployment', svc))['NODE_OPTIONS'];
    expect(heap('order')).toBe(heapNodeOptions({ ...SERVICE_HEAP, maxOldSpaceMiB: 160 }));
    expect(heap('payment')).toBe(heapNodeOptions());
  });
});

describe('the call graph has no stray edges', () => {
  it('every grpcCalls callee is a chart service with a gRPC port', () => {
    for (const c of contracts.values()) {
      for (const callee of Object.keys(c.grpcCalls ?? {})) {
        expect([c.service, callee, values().components[callee]?.ports?.grpc > 0]).toEqual([
          c.service,
          callee,
          true,
        ]);
      }
    }
  });

  it('every app folder with a main.ts is a chart service', () => {
    const apps = ['gateway', ...SERVICES]; // referenced for the message only
    const { globSync } = require('node:fs') as typeof import('node:fs');
    const written = globSync('apps/*/src/main.ts', { cwd: ROOT })
      .map((f) => f.split('/')[1]!)
      .filter((a) => !a.endsWith('-e2e'));
    expect(written.filter((a) => !SERVICES.includes(a))).toEqual([]);
    expect(apps.length).toBeGreaterThan(0);
  });
});
