/* eslint-disable @typescript-eslint/no-explicit-any -- rendered manifests are untyped YAML; lookups are asserted by the tests */
// Files outside the chart that the Kubernetes delivery depends on: synced assets, Dockerfile,
// kind/Istio/namespace manifests, fault injection, the Makefile fragment and pinned versions.
import { execFileSync, spawnSync } from 'node:child_process';
import { globSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import {
  GRPC_SERVICES,
  grpcServiceName,
  isRetryableRpc,
  rpcIdempotency,
  type GrpcApi,
} from '@ordermesh/contracts';
import {
  CHART,
  HELM3,
  HELM4,
  must,
  type Obj,
  parseManifests,
  podSpec,
  rendered,
  RENDER_DIR,
  ROOT,
  services,
  values,
} from './support/chart';

const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');
/** schema errors of a file outside the chart, from global-setup's validation run */
const validated = (f: string): string[] => {
  const report: { file: string; errors: string[] }[] = JSON.parse(
    readFileSync(path.join(RENDER_DIR, 'validation.json'), 'utf8'),
  );
  const mine = report.filter((e) => e.file === path.join(ROOT, f));
  if (!mine.length) return [`${f} was not validated`];
  return mine.flatMap((e) => e.errors);
};
const objs = rendered('defaults');

describe('chart assets (tools/chart/sync-assets.mjs)', () => {
  it('charts/ordermesh/files/, istio/fault/ (generate-faults.mjs) and charts/rendered/ (render-examples.mjs) are in sync with the repo', () => {
    const r = spawnSync(
      process.execPath,
      [path.join(ROOT, 'tools/chart/sync-assets.mjs'), '--check'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('charts/rendered/ holds a render of the defaults and of each ci values file, with no Secret value in it', () => {
    const scenarios = [
      'defaults',
      ...globSync('ci/*-values.yaml', { cwd: CHART }).map((f) => path.basename(f, '-values.yaml')),
    ].sort();
    const files = globSync('*.yaml', { cwd: path.join(ROOT, 'charts/rendered') });
    expect(files.map((f) => path.basename(f, '.yaml')).sort()).toEqual(scenarios);
    for (const f of files) {
      const docs = parseAllDocuments(read(`charts/rendered/${f}`)).map(
        (d) => d.toJS() as { kind?: string; data?: object; stringData?: object } | null,
      );
      const secrets = docs.filter((d) => d?.kind === 'Secret');
      const values = secrets.flatMap((d) => [
        ...Object.values(d?.data ?? {}),
        ...Object.values(d?.stringData ?? {}),
      ]);
      expect({ f, values: [...new Set(values)] }).toEqual({
        f,
        values: values.length ? ['<generated>'] : [],
      });
    }
  });

  it('files/retryable-methods.json lists, per gRPC service, the RPCs @ordermesh/contracts reads as retryable', () => {
    const file = JSON.parse(
      readFileSync(path.join(CHART, 'files/retryable-methods.json'), 'utf8'),
    ).services;
    const apis = (Object.keys(GRPC_SERVICES) as GrpcApi[]).filter((api) =>
      GRPC_SERVICES[api].package.startsWith('ordermesh.'),
    );
    const expected = Object.fromEntries(
      apis.map((api) => [
        grpcServiceName(api),
        Object.keys(rpcIdempotency(api))
          .filter((rpc) => isRetryableRpc(api, rpc))
          .sort(),
      ]),
    );
    expect(file).toEqual(expected);
    // every chart service with a gRPC port has its entry (the template reads it by this name)
    for (const svc of services().filter((s) => values().components[s].ports.grpc > 0))
      expect(Object.keys(file)).toContain(grpcServiceName(svc as GrpcApi));
  });

  it('the topics Job creates every catalogue topic and its .dlq', () => {
    const { topics } = JSON.parse(readFileSync(path.join(CHART, 'files/topics.json'), 'utf8')) as {
      topics: { name: string }[];
    };
    const names = topics.map((t) => t.name);
    for (const t of names.filter((n) => !n.endsWith('.dlq'))) expect(names).toContain(`${t}.dlq`);
    const job = objs.find((o) => o.kind === 'Job' && o.metadata.name.startsWith('kafka-topics-'))!;
    const script: string = podSpec(job).containers[0].command.join('\n');
    const created = [...script.matchAll(/^\s*create "([^"]+)" (\d+)$/gm)].map((m) => m[1]);
    expect(created).toEqual(names);
  });

  it('Kafka topic auto-creation is off', () => {
    expect(must(objs, 'ConfigMap', 'kafka').data['server.properties']).toMatch(
      /^auto\.create\.topics\.enable=false$/m,
    );
  });

  it('Grafana provisions every dashboard file; Prometheus loads every rule file', () => {
    const dashboards = globSync('files/dashboards/*.json', { cwd: CHART })
      .map((f) => path.basename(f))
      .sort();
    const cm = must(objs, 'ConfigMap', 'grafana-dashboards');
    expect(Object.keys(cm.data ?? {}).sort()).toEqual(dashboards);
    for (const d of dashboards) expect(() => JSON.parse(cm.data[d])).not.toThrow();
    // a ConfigMap holds at most 1 MiB
    expect(Buffer.byteLength(JSON.stringify(cm.data ?? {}))).toBeLessThan(900 * 1024);
    const rules = globSync('files/prometheus-rules/*.yml', { cwd: CHART })
      .map((f) => path.basename(f))
      .sort();
    const rcm = must(objs, 'ConfigMap', 'prometheus-rules');
    expect(Object.keys(rcm.data ?? {}).sort()).toEqual(rules);
    for (const r of rules) expect(parseYaml(rcm.data[r])).toHaveProperty('groups');
    const ds = parseYaml(must(objs, 'ConfigMap', 'grafana-provisioning').data['datasources.yaml']);
    expect(ds.datasources.map((d: any) => d.type).sort()).toEqual(['jaeger', 'prometheus']);
  });
});

describe('docker/Dockerfile', () => {
  const df = read('docker/Dockerfile');
  it('has one final stage per chart service, starting node directly (exec form)', () => {
    for (const svc of services()) {
      expect(df).toContain(`FROM runtime AS ${svc}\n`);
      expect(df).toContain(`CMD ["node", "apps/${svc}/src/main.js"]`);
    }
  });
  it('is multi-stage on the pinned Node 24 slim image, production deps only, non-root', () => {
    const env = parseEnv(read('k8s/versions.env'));
    expect(df).toContain(`ARG NODE_IMAGE=${env['NODE_IMAGE']}`);
    expect(env['NODE_IMAGE']).toBe('node:24-bookworm-slim');
    expect(df).toMatch(/FROM --platform=\$BUILDPLATFORM \$\{NODE_IMAGE\} AS build/);
    expect(df).toContain('node tools/build/build.mjs --service "$SERVICE" --package');
    expect(df).toMatch(/npm ci \$flags/);
    expect(df).toContain('--omit=dev');
    expect(df).toMatch(/^USER 1000:1000$/m);
    expect(df).not.toMatch(/:latest\b/);
    // the runtime uid is the one the chart runs as
    expect(podSpec(must(objs, 'Deployment', 'user')).securityContext.runAsUser).toBe(1000);
  });
});

function parseEnv(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).trim()]),
  );
}

describe('k8s/', () => {
  const env = parseEnv(read('k8s/versions.env'));

  it('versions.env pins every tool and image', () => {
    for (const k of [
      'KIND_VERSION',
      'KIND_NODE_IMAGE',
      'KUBECTL_VERSION',
      'HELM_VERSION',
      'HELM3_VERSION',
      'ISTIO_VERSION',
      'NODE_IMAGE',
      'BUILDX_PLATFORMS',
    ]) {
      expect([k, env[k]]).toEqual([k, expect.stringMatching(/\S/)]);
      expect(env[k]).not.toMatch(/latest/);
    }
    expect(env['KIND_NODE_IMAGE']).toMatch(/^kindest\/node:v\d+\.\d+\.\d+/);
    expect(env['BUILDX_PLATFORMS']).toBe('linux/amd64,linux/arm64');
  });

  it('the installed helm (4), helm3 and kubectl are the pinned versions', () => {
    const bin = path.join(ROOT, '.ordermesh/tools/bin');
    expect(env['HELM_VERSION']).toMatch(/^v4\./);
    expect(env['HELM3_VERSION']).toMatch(/^v3\./);
    for (const [h, pinned] of [
      [HELM4, env['HELM_VERSION']],
      [HELM3, env['HELM3_VERSION']],
    ] as const)
      expect(execFileSync(h.bin, ['version', '--short'], { encoding: 'utf8' })).toContain(pinned);
    expect(
      execFileSync(path.join(bin, 'kubectl'), ['version', '--client'], { encoding: 'utf8' }),
    ).toContain(env['KUBECTL_VERSION']);
  });

  it('namespace.yaml and the IstioOperator are valid (schemas.spec); the namespace enforces restricted PSS with injection', () => {
    expect(validated('k8s/namespace.yaml')).toEqual([]);
    expect(validated('k8s/istio/istio-operator.yaml')).toEqual([]);
    const ns = parseManifests(read('k8s/namespace.yaml'))[0]!;
    expect(ns.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'istio-injection': 'enabled',
    });
  });

  it('Istio is installed with the CNI plugin, native sidecars, and the ingress gateway the chart trusts', () => {
    const iop = parseManifests(read('k8s/istio/istio-operator.yaml'))[0]!;
    expect(iop.spec.components.cni.enabled).toBe(true);
    expect(iop.spec.values.pilot.env.ENABLE_NATIVE_SIDECARS).toBe('true');
    const gw = iop.spec.components.ingressGateways[0];
    const v = values().istio.ingress;
    expect(v.namespace).toBe(gw.namespace);
    expect(v.selector).toEqual(gw.label);
    expect(v.principals).toEqual([
      `cluster.local/ns/${gw.namespace}/sa/${gw.name}-service-account`,
    ]);
    const kind = parseYaml(read('k8s/kind-config.yaml'));
    const nodePort = gw.k8s.service.ports.find((p: any) => p.name === 'http2').nodePort;
    expect(kind.nodes[0].extraPortMappings).toContainEqual(
      expect.objectContaining({ containerPort: nodePort, hostPort: 8080 }),
    );
    // the Gateway's HTTPS server (443) on https://localhost:8443, loopback only like HTTP
    const https = gw.k8s.service.ports.find((p: any) => p.name === 'https');
    expect(https.port).toBe(443);
    expect(kind.nodes[0].extraPortMappings).toContainEqual({
      containerPort: https.nodePort,
      hostPort: 8443,
      listenAddress: '127.0.0.1',
      protocol: 'TCP',
    });
  });

  it('k8s.mk has the workflow targets', () => {
    const mk = read('k8s/k8s.mk');
    for (const t of [
      'cluster',
      'istio',
      'images',
      'images-multiarch',
      'deploy',
      'port-forward',
      'dashboards',
      'fault-payment',
      'fault-clear',
      'undeploy',
    ]) {
      expect(mk).toMatch(new RegExp(`^${t}:`, 'm'));
    }
    expect(mk).toContain('docker buildx build');
    expect(mk).toContain('kind load docker-image');
    expect(mk).toContain('upgrade --install');
    expect(mk).not.toMatch(/AWS_|GOOGLE_|AZURE_/);
  });
});

// Generated by tools/chart/generate-faults.mjs (whose --check runs in sync-assets --check above);
// checked here on their own against the render of global-setup.
describe('istio/fault/', () => {
  const chartVs = must(objs, 'VirtualService', 'payment');
  const strip = (o: Obj) => ({
    hosts: o.spec.hosts,
    http: o.spec.http.map(({ fault: _fault, ...route }: any) => route),
  });
  it.each([['delay'], ['abort']])(
    'payment-%s.yaml is the chart VirtualService plus that fault on every route',
    (fault) => {
      const file = `istio/fault/payment-${fault}.yaml`;
      const [vs] = parseManifests(read(file));
      expect(validated(file)).toEqual([]);
      expect(vs!.metadata.name).toBe('payment');
      expect(strip(vs!)).toEqual(strip(chartVs));
      for (const route of vs!.spec.http) expect(route.fault[fault]).toBeDefined();
    },
  );
});
