/* eslint-disable @typescript-eslint/no-explicit-any -- rendered manifests are untyped YAML; lookups are asserted by the tests */
import {
  bytes,
  cpu,
  find,
  isIstio,
  must,
  ofKind,
  type Obj,
  podMeta,
  podSpec,
  rendered,
  scenarios,
  selects,
  services,
  values,
  WORKLOAD_KINDS,
  NAMESPACE,
} from './support/chart';
import { grpcPath } from './support/contracts';
import { isRetryableRpc, LOG_BATCH, rpcIdempotency, type GrpcApi } from '@ordermesh/contracts';

const RESTRICTED_VOLUMES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
];
const SERVICES = services();

function allContainers(spec: any): any[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

/** component settings as the chart merges them (default + components.<name>) for a scenario's values */
function component(name: string, objs: Obj[]) {
  const dep = must(objs, 'Deployment', name);
  const c = podSpec(dep).containers[0];
  const env = Object.fromEntries(
    (c.env ?? []).filter((e: any) => 'value' in e).map((e: any) => [e.name, e.value]),
  );
  return { dep, container: c, env };
}

describe.each(scenarios().map((s) => [s.name]))('%s', (scenario) => {
  const objs = rendered(scenario);
  const workloads = ofKind(objs, ...WORKLOAD_KINDS);
  const istioOn = objs.some(isIstio);
  const serviceDeployments = SERVICES.map((s) => find(objs, 'Deployment', s)).filter(
    (d): d is Obj => !!d,
  );

  it('renders every service', () => {
    expect(serviceDeployments.map((d) => d.metadata.name).sort()).toEqual([...SERVICES].sort());
  });

  it('traces export with a parent-based ratio sampler (10 % of new traces by default)', () => {
    for (const service of SERVICES) {
      const { env } = component(service, objs);
      if (env['OTEL_TRACES_EXPORTER'] !== 'otlp') continue;
      expect(env['OTEL_TRACES_SAMPLER']).toBe('parentbased_traceidratio');
      expect(Number(env['OTEL_TRACES_SAMPLER_ARG'])).toBe(0.1);
    }
  });

  it('every workload meets the restricted Pod Security Standard', () => {
    const problems: string[] = [];
    for (const w of workloads) {
      const spec = podSpec(w);
      const id = `${w.kind}/${w.metadata.name}`;
      const psc = spec.securityContext ?? {};
      if (spec.hostNetwork || spec.hostPID || spec.hostIPC) problems.push(`${id}: host namespaces`);
      if (psc.seccompProfile?.type !== 'RuntimeDefault') problems.push(`${id}: pod seccompProfile`);
      if (psc.runAsUser === 0) problems.push(`${id}: runAsUser 0`);
      for (const v of spec.volumes ?? []) {
        const type = Object.keys(v).find((k) => k !== 'name')!;
        if (!RESTRICTED_VOLUMES.includes(type)) problems.push(`${id}: volume type ${type}`);
        if (type === 'emptyDir' && !v.emptyDir.sizeLimit)
          problems.push(`${id}: emptyDir ${v.name} without sizeLimit`);
      }
      for (const c of allContainers(spec)) {
        const sc = c.securityContext ?? {};
        const cid = `${id}/${c.name}`;
        if (sc.allowPrivilegeEscalation !== false)
          problems.push(`${cid}: allowPrivilegeEscalation`);
        if (!(sc.capabilities?.drop ?? []).includes('ALL'))
          problems.push(`${cid}: capabilities.drop ALL`);
        if ((sc.capabilities?.add ?? []).some((a: string) => a !== 'NET_BIND_SERVICE'))
          problems.push(`${cid}: capabilities.add`);
        if (sc.privileged) problems.push(`${cid}: privileged`);
        if (sc.readOnlyRootFilesystem !== true) problems.push(`${cid}: readOnlyRootFilesystem`);
        if (sc.runAsNonRoot !== true && psc.runAsNonRoot !== true)
          problems.push(`${cid}: runAsNonRoot`);
        if (sc.runAsUser === 0) problems.push(`${cid}: runAsUser 0`);
        if ((c.ports ?? []).some((p: any) => p.hostPort)) problems.push(`${cid}: hostPort`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every container has cpu/memory requests and limits, and a pinned image (never latest)', () => {
    const problems: string[] = [];
    for (const w of workloads) {
      for (const c of allContainers(podSpec(w))) {
        const cid = `${w.kind}/${w.metadata.name}/${c.name}`;
        for (const k of ['requests', 'limits'])
          for (const r of ['cpu', 'memory'])
            if (!c.resources?.[k]?.[r]) problems.push(`${cid}: ${k}.${r}`);
        if (c.resources?.requests && c.resources?.limits) {
          if (cpu(c.resources.requests.cpu) > cpu(c.resources.limits.cpu))
            problems.push(`${cid}: cpu request > limit`);
          if (bytes(c.resources.requests.memory) > bytes(c.resources.limits.memory))
            problems.push(`${cid}: memory request > limit`);
        }
        const image: string = c.image;
        const tag = image.includes('@')
          ? 'digest'
          : image.slice(image.lastIndexOf('/') + 1).split(':')[1];
        if (!tag || tag === 'latest') problems.push(`${cid}: image ${image} not pinned`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('long-running workloads have liveness and readiness probes', () => {
    const missing = ofKind(objs, 'Deployment', 'StatefulSet').flatMap((w) =>
      podSpec(w)
        .containers.filter((c: any) => !c.livenessProbe || !c.readinessProbe)
        .map((c: any) => `${w.metadata.name}/${c.name}`),
    );
    expect(missing).toEqual([]);
  });

  it.each(SERVICES.map((s) => [s]))(
    'service %s: HTTP health probes, gRPC probe on the grpc port, ports named http/grpc',
    (svc) => {
      const v = values().components[svc];
      const { container: c, env } = component(svc, objs);
      const ports = Object.fromEntries(c.ports.map((p: any) => [p.name, p.containerPort]));
      // In a pod the servers answer on the pod's address; the services' own default is loopback.
      expect(env['HOST']).toBe('0.0.0.0');
      expect(ports['http']).toBe(v.ports.http);
      // A service with a management port is probed there (issue 13, category 6).
      const probePort = v.ports.management ? 'management' : 'http';
      expect(ports['management']).toBe(v.ports.management || undefined);
      expect(c.livenessProbe.httpGet).toEqual({ path: '/health/live', port: probePort });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: probePort });
      if (!v.ports.grpc) {
        expect(c.startupProbe.httpGet).toEqual({ path: '/health/live', port: probePort });
      }
      if (v.ports.grpc) {
        expect(ports['grpc']).toBe(v.ports.grpc);
        expect(c.startupProbe.grpc).toEqual({ port: v.ports.grpc });
        const svcObj = must(objs, 'Service', svc);
        expect(svcObj.spec.ports.find((p: any) => p.port === v.ports.grpc)).toMatchObject({
          name: 'grpc',
          appProtocol: 'grpc',
          targetPort: 'grpc',
        });
      } else {
        expect(ports['grpc']).toBeUndefined();
      }
      for (const probe of [c.startupProbe, c.livenessProbe, c.readinessProbe]) {
        if (probe.grpc) expect(probe.grpc.port).toBe(v.ports.grpc);
      }
    },
  );

  it('the management port (readiness, metrics) is in no Service and reachable only by Prometheus', () => {
    const managed = SERVICES.filter((svc) => values().components[svc].ports.management > 0);
    // Both public services have one: their HTTP port is what the ingress exposes.
    expect(managed.sort()).toEqual(['gateway', 'storefront']);
    for (const svc of managed) {
      const port = values().components[svc].ports.management;
      const { env } = component(svc, objs);
      expect([svc, env['MANAGEMENT_PORT']]).toEqual([svc, String(port)]);
      for (const service of ofKind(objs, 'Service')) {
        const exposed = service.spec.ports.filter(
          (p: any) => p.port === port || p.targetPort === port || p.targetPort === 'management',
        );
        expect([service.metadata.name, exposed]).toEqual([service.metadata.name, []]);
      }
      const np = find(objs, 'NetworkPolicy', svc);
      if (!np) continue; // networkPolicy.enabled=false
      const scraper = find(objs, 'Deployment', 'prometheus') ? ['prometheus'] : [];
      const reach = np.spec.ingress
        .filter((rule: any) => rule.ports.some((p: any) => p.port === port))
        .map((rule: any) => rule.from[0]?.podSelector?.matchLabels?.['app.kubernetes.io/name']);
      expect([svc, reach]).toEqual([svc, scraper]);
    }
  });

  it('services drain before SIGTERM: preStop sleep and terminationGracePeriodSeconds cover SHUTDOWN_TIMEOUT_MS', () => {
    for (const dep of ofKind(objs, 'Deployment').filter((d) =>
      SERVICES.includes(d.metadata.labels?.['app.kubernetes.io/name'] ?? ''),
    )) {
      const spec = podSpec(dep);
      const c = spec.containers[0];
      const sleep = c.lifecycle?.preStop?.sleep?.seconds;
      const shutdownMs = Number(c.env.find((e: any) => e.name === 'SHUTDOWN_TIMEOUT_MS')?.value);
      expect(sleep).toBeGreaterThan(0);
      expect(shutdownMs).toBeGreaterThan(0);
      expect(spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(
        sleep + Math.ceil(shutdownMs / 1000),
      );
      expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    }
  });

  it('HPA for every autoscaled service; PDB exactly when replicas > 1', () => {
    for (const dep of serviceDeployments) {
      const name = dep.metadata.name;
      const hpa = find(objs, 'HorizontalPodAutoscaler', name);
      if (hpa) {
        expect(hpa.spec.scaleTargetRef).toEqual({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name,
        });
        expect(dep.spec.replicas).toBeUndefined();
        // A Node process's start-up burst is not load: scale up only on load held a while.
        expect(hpa.spec.behavior.scaleUp.stabilizationWindowSeconds).toBeGreaterThanOrEqual(30);
      } else {
        expect(dep.spec.replicas).toBeGreaterThanOrEqual(1);
      }
      const replicas = hpa ? hpa.spec.minReplicas : dep.spec.replicas;
      const pdb = find(objs, 'PodDisruptionBudget', name);
      expect(!!pdb).toBe(replicas > 1);
      if (pdb) expect(selects(pdb.spec.selector.matchLabels, podMeta(dep).labels)).toBe(true);
    }
    if (scenario === 'defaults')
      expect(ofKind(objs, 'HorizontalPodAutoscaler')).toHaveLength(SERVICES.length);
    if (scenario === 'ha')
      expect(ofKind(objs, 'PodDisruptionBudget')).toHaveLength(SERVICES.length);
  });

  it('selectors match their pod templates; Services select pods', () => {
    for (const w of ofKind(objs, 'Deployment', 'StatefulSet')) {
      expect(selects(w.spec.selector.matchLabels, podMeta(w).labels)).toBe(true);
    }
    for (const s of ofKind(objs, 'Service')) {
      expect(workloads.some((w) => selects(s.spec.selector, podMeta(w).labels))).toBe(true);
    }
  });

  it('credentials only come from Secrets', () => {
    const problems: string[] = [];
    for (const w of workloads) {
      for (const c of allContainers(podSpec(w))) {
        for (const e of c.env ?? []) {
          if (/PASSWORD|SECRET|TOKEN/.test(e.name) && !e.valueFrom?.secretKeyRef)
            problems.push(`${w.metadata.name}/${e.name}`);
          if ('value' in e && /:\/\/[^:@/]+:[^$@/][^@/]*@/.test(e.value))
            problems.push(`${w.metadata.name}/${e.name}: literal credential in URL`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('NetworkPolicy: default deny for the release, and every pod has its own policy', () => {
    const nps = ofKind(objs, 'NetworkPolicy');
    if (scenario === 'no-observability') return expect(nps).toEqual([]);
    const deny = must(objs, 'NetworkPolicy', 'default-deny');
    expect(deny.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'ordermesh' } },
      policyTypes: ['Ingress', 'Egress'],
    });
    const unguarded = workloads.filter(
      (w) =>
        !nps.some(
          (np) =>
            np.metadata.name !== 'default-deny' &&
            np.metadata.name.startsWith('allow-') === false &&
            selects(np.spec.podSelector.matchLabels, podMeta(w).labels),
        ),
    );
    expect(unguarded.map((w) => w.metadata.name)).toEqual([]);
    const dns = must(objs, 'NetworkPolicy', 'allow-dns');
    expect(dns.spec.egress[0].ports).toEqual([
      { port: 53, protocol: 'UDP' },
      { port: 53, protocol: 'TCP' },
    ]);
  });

  if (scenario === 'istio-off') {
    it('Istio off: no Istio objects and no sidecars', () => {
      expect(objs.filter(isIstio)).toEqual([]);
      for (const w of workloads) {
        expect(podMeta(w).labels['sidecar.istio.io/inject']).toBe('false');
        expect(
          Object.keys(podMeta(w).annotations ?? {}).filter((k) =>
            k.startsWith('sidecar.istio.io/'),
          ),
        ).toEqual([]);
      }
    });
  }

  if (istioOn) {
    it('Istio: every Service has a DestinationRule (mTLS) and an AuthorizationPolicy selecting its pods', () => {
      for (const s of ofKind(objs, 'Service')) {
        const name = s.metadata.name;
        const dr = must(objs, 'DestinationRule', name);
        expect(dr.spec.host).toBe(`${name}.${NAMESPACE}.svc.cluster.local`);
        expect(dr.spec.trafficPolicy.tls.mode).toBe('ISTIO_MUTUAL');
        expect(dr.spec.trafficPolicy.connectionPool.tcp.maxConnections).toBeGreaterThan(0);
        const ap = must(objs, 'AuthorizationPolicy', name);
        expect(ap.spec.action).toBe('ALLOW');
        const pods = workloads.filter((w) => selects(s.spec.selector, podMeta(w).labels));
        expect(pods.length).toBeGreaterThan(0);
        for (const p of pods)
          expect(selects(ap.spec.selector.matchLabels, podMeta(p).labels)).toBe(true);
      }
    });

    it('Istio: service DestinationRules limit connections and eject outliers', () => {
      for (const svc of SERVICES) {
        const tp = must(objs, 'DestinationRule', svc).spec.trafficPolicy;
        expect(tp.connectionPool.http.http2MaxRequests).toBeGreaterThan(0);
        expect(tp.connectionPool.http.http1MaxPendingRequests).toBeGreaterThan(0);
        expect(tp.outlierDetection).toEqual(
          expect.objectContaining({
            consecutive5xxErrors: expect.any(Number),
            consecutiveGatewayErrors: expect.any(Number),
            baseEjectionTime: expect.any(String),
            maxEjectionPercent: expect.any(Number),
          }),
        );
      }
    });

    it('no route has a zero timeout (Istio refuses it; a route without one is untimed)', () => {
      const timeouts = ofKind(objs, 'VirtualService').flatMap((vs: any) =>
        (vs.spec.http ?? [])
          .map((route: any) => route.timeout)
          .filter((t: unknown) => t !== undefined),
      );
      expect(
        timeouts.filter((t: string) => !/^(\d+(\.\d+)?)(ms|s|m|h)$/.test(t) || parseFloat(t) === 0),
      ).toEqual([]);
    });

    it('Istio: STRICT mTLS, namespace allow-nothing, ingress Gateway + one VirtualService: /api → gateway, / → storefront', () => {
      expect(must(objs, 'PeerAuthentication', 'default').spec).toEqual({
        mtls: { mode: 'STRICT' },
      });
      expect(must(objs, 'AuthorizationPolicy', 'allow-nothing').spec).toEqual({});
      const gw = must(objs, 'Gateway', 'ordermesh');
      // HTTPS on 443 and HTTP on 80 (a redirect unless opted out): ingress-tls.spec.ts
      expect(gw.spec.servers.map((s: any) => [s.port.number, s.port.protocol])).toEqual([
        [443, 'HTTPS'],
        [80, 'HTTP'],
      ]);
      const vs = must(objs, 'VirtualService', 'ingress');
      expect(vs.spec.gateways).toEqual(['ordermesh']);
      expect(vs.spec.hosts).toEqual(gw.spec.servers[0].hosts);
      // Istio takes the first route that matches: the one a request to this path and verb gets.
      const hostFor = (method: string, uri: string) =>
        vs.spec.http
          .find((r: any) =>
            (r.match ?? [{}]).some(
              (m: any) =>
                (!m.method || m.method.exact === method) &&
                (!m.uri || uri.startsWith(m.uri.prefix)),
            ),
          )
          ?.route.map((d: any) => d.destination.host);
      const host = (svc: string) => [`${svc}.${NAMESPACE}.svc.cluster.local`];
      expect(hostFor('GET', '/api/v1/products')).toEqual(host('gateway'));
      expect(hostFor('POST', '/api/v1/orders')).toEqual(host('gateway'));
      expect(hostFor('GET', '/api/docs')).toEqual(host('gateway'));
      expect(hostFor('GET', '/')).toEqual(host('storefront'));
      expect(hostFor('POST', '/checkout')).toEqual(host('storefront'));
      expect(hostFor('GET', '/orders/1/events')).toEqual(host('storefront'));
      const unsafeRetries = vs.spec.http.filter(
        (r: any) => r.retries?.attempts > 0 && r.match?.[0]?.method?.exact !== 'GET',
      );
      expect(unsafeRetries).toEqual([]);
    });

    it('Istio: every pod is injected with small, declared sidecar resources; Jobs use native sidecars', () => {
      for (const w of workloads) {
        const meta = podMeta(w);
        expect(meta.labels['sidecar.istio.io/inject']).toBe('true');
        expect(meta.annotations['sidecar.istio.io/proxyCPU']).toBeDefined();
        expect(meta.annotations['sidecar.istio.io/proxyMemory']).toBeDefined();
        expect(meta.annotations['sidecar.istio.io/proxyCPULimit']).toBeDefined();
        expect(meta.annotations['sidecar.istio.io/proxyMemoryLimit']).toBeDefined();
        if (w.kind === 'Job')
          expect(meta.annotations['sidecar.istio.io/nativeSidecar']).toBe('true');
      }
    });

    /** Paths the AuthorizationPolicy of a service allows, i.e. the RPCs its callers make. */
    const calledPaths = (svc: string): string[] =>
      (must(objs, 'AuthorizationPolicy', svc).spec.rules ?? []).flatMap((r: any) =>
        r.to.flatMap((t: any) => t.operation.paths ?? []),
      );
    /** The route Istio picks for a request path: the first without a match or whose regex (RE2, full match) matches. */
    const routeFor = (vs: Obj, requestPath: string): any =>
      vs.spec.http.find(
        (r: any) =>
          !r.match ||
          r.match.some((m: any) => new RegExp(`^(?:${m.uri.regex})$`).test(requestPath)),
      );
    const retries = (route: any): number => route?.retries?.attempts ?? 0;

    it('Istio: mesh retries only RPCs whose proto declares NO_SIDE_EFFECTS or IDEMPOTENT, on unavailable,reset,connect-failure', () => {
      for (const vs of ofKind(objs, 'VirtualService').filter(
        (v) => v.metadata.name !== 'ingress',
      )) {
        const domain = vs.metadata.name;
        for (const route of vs.spec.http) {
          if (!retries(route)) continue;
          expect(route.retries.retryOn).toBe('unavailable,reset,connect-failure');
          const m = /^\^\/ordermesh\\\.(\w+)\\\.v1\\\.(\w+)Service\/\(([\w|]+)\)\$$/.exec(
            route.match[0].uri.regex,
          );
          expect(m).not.toBeNull();
          // the route matches this service's own methods
          expect(`/ordermesh.${m![1]}.v1.${m![2]}Service/X`).toBe(grpcPath(domain, 'X'));
          const undeclared = m![3]!
            .split('|')
            .filter((method) => !isRetryableRpc(domain as GrpcApi, method));
          expect([domain, undeclared]).toEqual([domain, []]);
        }
        expect(vs.spec.http.at(-1).retries).toEqual({ attempts: 0 });
      }
    });

    it('Istio: every called RPC is retried exactly when its proto declares it safe to repeat', () => {
      const wrong: string[] = [];
      let checked = 0;
      for (const svc of SERVICES) {
        const vs = find(objs, 'VirtualService', svc);
        if (!vs) continue; // no gRPC server
        for (const p of calledPaths(svc)) {
          const method = p.slice(p.lastIndexOf('/') + 1);
          const retried = retries(routeFor(vs, p)) > 0;
          if (retried !== isRetryableRpc(svc as GrpcApi, method))
            wrong.push(`${p}: retried=${retried}, proto=${rpcIdempotency(svc as GrpcApi)[method]}`);
          checked++;
        }
      }
      expect(wrong).toEqual([]);
      expect(checked).toBeGreaterThan(0);
    });

    it.each([
      ['user', 'RegisterUser'],
      ['product', 'CreateProduct'],
    ])(
      'Istio: %s %s (no idempotency_level in the proto) is called but never retried',
      (svc, method) => {
        expect(rpcIdempotency(svc as GrpcApi)[method]).toBe('IDEMPOTENCY_UNKNOWN');
        const p = grpcPath(svc, method);
        expect(calledPaths(svc)).toContain(p); // a real call (the gateway makes it)
        const vs = must(objs, 'VirtualService', svc);
        expect(routeFor(vs, p).retries).toEqual({ attempts: 0 });
        for (const route of vs.spec.http.filter((r: any) => retries(r) > 0))
          expect(route.match[0].uri.regex).not.toContain(method);
      },
    );
  }

  if (scenario === 'canary') {
    it('canary: payment v2 Deployment, subsets v1/v2 and a 90/10 split', () => {
      const v2 = must(objs, 'Deployment', 'payment-v2');
      expect(podMeta(v2).labels.version).toBe('v2');
      expect(podSpec(v2).containers[0].image).toBe('ordermesh/payment:0.2.0');
      expect(must(objs, 'DestinationRule', 'payment').spec.subsets.map((s: any) => s.name)).toEqual(
        ['v1', 'v2'],
      );
      for (const route of must(objs, 'VirtualService', 'payment').spec.http) {
        expect(route.route.map((d: any) => [d.destination.subset, d.weight])).toEqual([
          ['v1', 90],
          ['v2', 10],
        ]);
      }
      expect(selects(must(objs, 'Service', 'payment').spec.selector, podMeta(v2).labels)).toBe(
        true,
      );
    });
  }

  if (scenario === 'external-infra') {
    it('external infrastructure: no in-cluster stores, URLs point at the external endpoints', () => {
      for (const n of ['postgresql', 'kafka', 'mongodb', 'redis', 'jaeger', 'victorialogs']) {
        expect(objs.filter((o) => o.metadata.labels?.['app.kubernetes.io/name'] === n)).toEqual([]);
      }
      // logs go to the operator's OTLP receiver, batched as everywhere
      expect(component('order', objs).env).toMatchObject({
        OTEL_LOGS_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://otel-collector.observability.svc:4318/v1/logs',
        OTEL_BLRP_SCHEDULE_DELAY: String(LOG_BATCH.scheduleDelayMs),
      });
      expect(component('order', objs).env['DATABASE_URL']).toBe(
        'postgresql://order_svc:$(K8S_POSTGRESQL_PASSWORD)@pg.example.internal:5432/order_svc?sslmode=require',
      );
      expect(component('order', objs).env['KAFKA_BROKERS']).toBe(
        'kafka-0.example.internal:9092,kafka-1.example.internal:9092',
      );
      expect(component('product', objs).env['MONGODB_URL']).toMatch(
        /^mongodb:\/\/product:\$\(K8S_MONGODB_PASSWORD\)@mongo\.example\.internal:27017\/product\?authSource=product&tls=true$/,
      );
      expect(component('gateway', objs).env['REDIS_URL']).toBe(
        'rediss://:$(K8S_REDIS_PASSWORD)@redis.example.internal:6380',
      );
      expect(component('gateway', objs).env['OTEL_EXPORTER_OTLP_ENDPOINT']).toBe(
        'http://otel-collector.observability.svc:4318',
      );
      const ref = podSpec(component('order', objs).dep).containers[0].env.find(
        (e: any) => e.name === 'K8S_POSTGRESQL_PASSWORD',
      );
      expect(ref.valueFrom.secretKeyRef).toEqual({
        name: 'ordermesh-external-postgresql',
        key: 'order_svc-password',
      });
      expect(
        ofKind(objs, 'Secret')
          .map((s) => s.metadata.name)
          .sort(),
      ).toEqual(['gateway-jwt', 'grafana-admin']);
      expect(must(objs, 'Gateway', 'ordermesh').spec.servers[0]).toMatchObject({
        hosts: ['shop.example.internal'],
        tls: { mode: 'SIMPLE', credentialName: 'shop-example-internal-tls' },
      });
    });
  }

  if (scenario === 'namespace') {
    it('the optional Namespace enforces the restricted Pod Security Standard', () => {
      const ns = must(objs, 'Namespace', NAMESPACE);
      expect(ns.metadata.labels).toMatchObject({
        'pod-security.kubernetes.io/enforce': 'restricted',
        'istio-injection': 'enabled',
      });
      expect(podSpec(must(objs, 'Deployment', 'user')).imagePullSecrets).toEqual([
        { name: 'regcred' },
      ]);
      expect(podSpec(must(objs, 'Deployment', 'user')).containers[0].image).toBe(
        'registry.example.internal/ordermesh/user:0.1.0',
      );
    });
  }
});

describe('footprint of the default install (services + infrastructure + observability + sidecars + Jobs)', () => {
  const objs = rendered('defaults');
  let cores = 0;
  let mem = 0;
  const rows: string[] = [];
  for (const w of ofKind(objs, ...WORKLOAD_KINDS)) {
    const hpa = find(objs, 'HorizontalPodAutoscaler', w.metadata.name);
    const replicas = w.kind === 'Job' ? 1 : (hpa?.spec.minReplicas ?? w.spec.replicas ?? 1);
    const ann = podMeta(w).annotations ?? {};
    let c = 0;
    let m = 0;
    for (const ct of allContainers(podSpec(w))) {
      c += cpu(ct.resources.requests.cpu);
      m += bytes(ct.resources.requests.memory);
    }
    if (ann['sidecar.istio.io/proxyCPU']) c += cpu(ann['sidecar.istio.io/proxyCPU']);
    if (ann['sidecar.istio.io/proxyMemory']) m += bytes(ann['sidecar.istio.io/proxyMemory']);
    cores += replicas * c;
    mem += replicas * m;
    rows.push(
      `${w.kind}/${w.metadata.name} x${replicas}: ${Math.round(c * 1000)}m ${Math.round(m / 2 ** 20)}Mi`,
    );
  }

  it('requests at most 2 vCPU and 3 GiB in total', () => {
    const summary = `${Math.round(cores * 1000)}m CPU, ${Math.round(mem / 2 ** 20)}Mi memory\n${rows.join('\n')}`;
    expect({ ok: cores <= 2 && mem <= 3 * 2 ** 30, summary }).toEqual({ ok: true, summary });
  });

  it('counts the Istio sidecars', () => {
    expect(rows.length).toBeGreaterThanOrEqual(SERVICES.length + 7);
    expect(
      ofKind(objs, ...WORKLOAD_KINDS).every(
        (w) => podMeta(w).annotations?.['sidecar.istio.io/proxyMemory'],
      ),
    ).toBe(true);
  });
});
