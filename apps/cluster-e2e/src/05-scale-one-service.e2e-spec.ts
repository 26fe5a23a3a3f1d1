import { chaosConfig, isErrorRecord, sleep, type RequestRecord } from '@ordermesh/chaos';
import { waitFor } from '@ordermesh/testing';
import { auditedLoad, writeResult, type AuditedLoad } from './support/audited-load';
import { isReady, kubectlAsync, kubectlJson, NAMESPACE, pods } from './support/cluster';
import { closeForwards, forward } from './support/platform';

/**
 * One hot service scales out alone (issue 15). Every product view asks inventory for stock; under
 * a load of views inventory's HPA adds pods while every other Deployment keeps its replicas (the
 * gateway's HPA is held at its minimum meanwhile: inventory is the service under test). The
 * callers' round_robin clients over the headless Service spread the calls over the new pods,
 * which Prometheus's per-pod counts show within a minute of the pods turning Ready. Then inventory
 * is scaled back in under the same load: no request fails, no view is degraded, and the chaos
 * suite's invariant checker finds every order final, none lost or charged twice, stock conserved.
 */
const config = {
  ...chaosConfig('short'),
  orderRate: 1,
  viewRate: 15,
  healthyRate: 0,
  // Each customer stays under the gateway's per-user limit of 300 requests a minute.
  customers: 12,
  products: 4,
  stockPerProduct: 10_000,
  scarceStock: 15,
  warmupMs: 5_000,
  afterRecoveryMs: 15_000,
  maxInFlight: 200,
  settleMs: 180_000,
  errorFreeAfterMs: 0,
};
const SERVICE = 'inventory';
/** A minute for the callers to reach the new pods, plus two scrapes for Prometheus to see it. */
const SPREAD_WITHIN_MS = 90_000;

interface Hpa {
  spec: { minReplicas: number; maxReplicas: number };
  status: { desiredReplicas: number };
}
interface Deployments {
  items: { metadata: { name: string }; spec: { replicas: number } }[];
}
interface Spread {
  /** ms from every new pod Ready to each pod serving at least half an equal share */
  afterReadyMs: number;
  /** Inventory calls per pod over the last 30 s, as Prometheus counted them */
  callsPerPod: Record<string, number>;
}

const hpa = (name: string): Hpa => kubectlJson<Hpa>(['-n', NAMESPACE, 'get', 'hpa', name]);
const patchHpa = (name: string, spec: object): Promise<string> =>
  kubectlAsync([
    '-n',
    NAMESPACE,
    'patch',
    'hpa',
    name,
    '--type=merge',
    '-p',
    JSON.stringify({ spec }),
  ]);
const replicas = (): Record<string, number> =>
  Object.fromEntries(
    kubectlJson<Deployments>(['-n', NAMESPACE, 'get', 'deploy']).items.map((d) => [
      d.metadata.name,
      d.spec.replicas,
    ]),
  );
const servingPods = (): string[] =>
  pods(`app.kubernetes.io/name=${SERVICE}`)
    .filter((p) => isReady(p) && !p.metadata.deletionTimestamp)
    .map((p) => p.metadata.name);

/** Inventory calls each pod served in the last 30 s (Prometheus, per pod). */
async function callsPerPod(): Promise<Record<string, number>> {
  const prometheus = await forward('prometheus', 9090);
  const query = `sum by (pod) (increase(ordermesh_grpc_server_duration_seconds_count{job="ordermesh",service="${SERVICE}",grpc_service="Inventory"}[30s]))`;
  const res = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as {
    data: { result: { metric: { pod: string }; value: [number, string] }[] };
  };
  return Object.fromEntries(body.data.result.map((r) => [r.metric.pod, Number(r.value[1])]));
}

describe(`${SERVICE} scales out alone under product views, and back in losing nothing`, () => {
  let run: AuditedLoad;
  let before: Record<string, number>;
  let scaledOut: Record<string, number> = {};
  let spread: Spread | undefined;
  let hpas: Record<'gateway' | typeof SERVICE, Hpa>;

  beforeAll(async () => {
    hpas = { gateway: hpa('gateway'), [SERVICE]: hpa(SERVICE) };
    // From the minimum: the gateway is held there for the test; inventory (which the views of the
    // earlier specs may have scaled out) is taken there, then given its maximum back.
    await patchHpa('gateway', { maxReplicas: hpas.gateway.spec.minReplicas });
    await patchHpa(SERVICE, { maxReplicas: hpas[SERVICE].spec.minReplicas });
    await waitFor(
      async () => {
        const now = replicas();
        return now['gateway'] === hpas.gateway.spec.minReplicas &&
          now[SERVICE] === hpas[SERVICE].spec.minReplicas &&
          servingPods().length === hpas[SERVICE].spec.minReplicas
          ? true
          : undefined;
      },
      { timeoutMs: 300_000, intervalMs: 5_000, what: 'the gateway and inventory at their minimum' },
    );
    await patchHpa(SERVICE, { maxReplicas: hpas[SERVICE].spec.maxReplicas });
    before = replicas();
    run = await auditedLoad(config, async ({ now }) => {
      const ready = await waitFor(
        async () => {
          const desired = hpa(SERVICE).status.desiredReplicas;
          return desired > hpas[SERVICE].spec.minReplicas && servingPods().length >= desired
            ? desired
            : undefined;
        },
        { timeoutMs: 300_000, intervalMs: 5_000, what: `${SERVICE} scaled out and Ready` },
      );
      scaledOut = replicas();
      const readyAt = Date.now();
      const fair = await waitFor(
        async () => {
          const serving = servingPods();
          const calls = await callsPerPod();
          const total = serving.reduce((sum, pod) => sum + (calls[pod] ?? 0), 0);
          const share = total / serving.length;
          return serving.length >= ready &&
            share > 0 &&
            serving.every((pod) => (calls[pod] ?? 0) >= share / 2)
            ? Object.fromEntries(serving.map((pod) => [pod, calls[pod] ?? 0]))
            : undefined;
        },
        { timeoutMs: SPREAD_WITHIN_MS, intervalMs: 5_000, what: `calls spread over ${ready} pods` },
      ).catch(() => undefined);
      spread = fair && { afterReadyMs: Date.now() - readyAt, callsPerPod: fair };

      // Back in, under the same load: the HPA's maximum down to its minimum.
      const faultStartedAt = now();
      await patchHpa(SERVICE, { maxReplicas: hpas[SERVICE].spec.minReplicas });
      await waitFor(
        async () =>
          pods(`app.kubernetes.io/name=${SERVICE}`).length === hpas[SERVICE].spec.minReplicas &&
          servingPods().length === hpas[SERVICE].spec.minReplicas
            ? true
            : undefined,
        { timeoutMs: 180_000, intervalMs: 2_000, what: `${SERVICE} back at its minimum` },
      );
      await sleep(2_000);
      return { faultStartedAt, recoveredAt: now() };
    });
    writeResult('scale-one-service', {
      service: SERVICE,
      before,
      scaledOut,
      spread,
      requests: run.driver.records.length,
      scaleIn: run.disruption,
      failed: failures(run.driver.records).length,
      degradedViews: degraded(run.driver.records).length,
      invariants: run.invariants,
    });
  }, 1_500_000);

  afterAll(async () => {
    await patchHpa('gateway', { maxReplicas: hpas.gateway.spec.maxReplicas });
    await patchHpa(SERVICE, { maxReplicas: hpas[SERVICE].spec.maxReplicas });
    await closeForwards();
  });

  it('the HPA scales the service out while every other Deployment keeps its replicas', () => {
    expect(scaledOut[SERVICE]).toBeGreaterThan(before[SERVICE]!);
    expect(scaledOut[SERVICE]).toBeLessThanOrEqual(hpas[SERVICE].spec.maxReplicas);
    const others = (r: Record<string, number>) =>
      Object.fromEntries(Object.entries(r).filter(([name]) => name !== SERVICE));
    expect(others(scaledOut)).toEqual(others(before));
  });

  it('within a minute of the new pods being Ready, each serves at least half an equal share', () => {
    expect(spread).toBeDefined();
    const calls = Object.values(spread!.callsPerPod);
    expect(calls.length).toBe(scaledOut[SERVICE]);
    const equalShare = calls.reduce((a, b) => a + b, 0) / calls.length;
    expect(equalShare).toBeGreaterThan(0);
    expect(Math.min(...calls)).toBeGreaterThanOrEqual(equalShare / 2);
    expect(spread!.afterReadyMs).toBeLessThanOrEqual(SPREAD_WITHIN_MS);
  });

  it('scaling in under load fails no request and degrades no view', () => {
    const { faultStartedAt, recoveredAt } = run.disruption;
    const views = run.driver.records.filter((r) => r.kind === 'view');
    expect(views.length).toBeGreaterThan(300);
    // Views were in flight while the pods went (15 a second for the seconds the scale-in took).
    expect(
      views.filter((r) => r.sentAt >= faultStartedAt && r.sentAt <= recoveredAt).length,
    ).toBeGreaterThan(20);
    expect(failures(run.driver.records)).toEqual([]);
    expect(degraded(run.driver.records)).toEqual([]);
  });

  it('the invariant checker finds every order final, none lost or charged twice, stock kept', () => {
    expect(run.invariants.length).toBeGreaterThan(5);
    expect(run.invariants.filter((r) => !r.passed)).toEqual([]);
  });
});

const line = (r: RequestRecord): string =>
  `${r.kind} at ${r.sentAt} ms: ${r.status} ${r.error ?? ''}`.trim();
const failures = (records: RequestRecord[]): string[] =>
  records.filter((r) => r.kind !== 'reconcile' && isErrorRecord(r)).map(line);
const degraded = (records: RequestRecord[]): string[] =>
  records.filter((r) => r.kind === 'view' && r.degraded).map(line);
