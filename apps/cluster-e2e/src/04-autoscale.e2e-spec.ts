import { waitFor } from '@ordermesh/testing';
import { kubectl, kubectlJson, NAMESPACE } from './support/cluster';
import { closeForwards, gateway, seed } from './support/platform';

/**
 * The chart's HorizontalPodAutoscaler really scales: metrics-server (built from its Go module)
 * serves the resource metrics API, the gateway's HPA reads its pods' CPU, and a bounded load of
 * product views through the port-forwarded gateway makes it add replicas, which turn Ready.
 */
interface Hpa {
  spec: { minReplicas: number; maxReplicas: number };
  status: {
    desiredReplicas: number;
    currentMetrics?: { resource?: { name: string; current: { averageUtilization?: number } } }[];
  };
}

const hpa = (): Hpa => kubectlJson<Hpa>(['-n', NAMESPACE, 'get', 'hpa', 'gateway']);
const readyGateways = (): number =>
  kubectlJson<{ status: { readyReplicas?: number } }>(['-n', NAMESPACE, 'get', 'deploy', 'gateway'])
    .status.readyReplicas ?? 0;

/** CPU utilisation the HPA last read, once metrics-server answers for the gateway's pods. */
async function cpuReading(): Promise<number> {
  return waitFor(
    async () =>
      hpa().status.currentMetrics?.find((m) => m.resource?.name === 'cpu')?.resource?.current
        .averageUtilization,
    { timeoutMs: 180_000, intervalMs: 5_000, what: "the gateway HPA's first CPU reading" },
  );
}

describe('the gateway scales out under load (HPA on metrics-server)', () => {
  afterAll(closeForwards);

  it('the resource metrics API answers for the release pods', async () => {
    const pods = await waitFor(
      async () => {
        const list = JSON.parse(
          kubectl(['get', '--raw', `/apis/metrics.k8s.io/v1beta1/namespaces/${NAMESPACE}/pods`]),
        ) as { items: { metadata: { name: string } }[] };
        return list.items.some((p) => p.metadata.name.startsWith('gateway-'))
          ? list.items
          : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 5_000, what: 'pod metrics of the gateway' },
    );
    expect(pods.length).toBeGreaterThan(5);
    expect(await cpuReading()).toBeGreaterThanOrEqual(0);
  });

  it('a load of product views takes the gateway to more replicas, all Ready', async () => {
    const before = hpa();
    expect(before.spec.maxReplicas).toBeGreaterThan(before.spec.minReplicas);
    // From the minimum: the test lets the HPA scale down at once (the chart's five-minute default
    // would outlast the test) and waits for one idle gateway; helm upgrade restores the HPA.
    kubectl([
      '-n',
      NAMESPACE,
      'patch',
      'hpa',
      'gateway',
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { behavior: { scaleDown: { stabilizationWindowSeconds: 0 } } } }),
    ]);
    await waitFor(
      async () =>
        hpa().status.desiredReplicas === before.spec.minReplicas &&
        readyGateways() === before.spec.minReplicas
          ? true
          : undefined,
      { timeoutMs: 180_000, intervalMs: 5_000, what: 'the gateway back at its minimum' },
    );
    await seed();
    const api = await gateway();
    const listed = await api.get<{ items: { id: string }[] }>('/api/v1/products?pageSize=20');
    const ids = listed.body.items.map((p) => p.id);
    expect(ids.length).toBeGreaterThan(0);

    // Eight concurrent viewers for at most four minutes: loopback and the cluster's namespace only.
    const stopAt = Date.now() + 240_000;
    let stop = false;
    let views = 0;
    const viewer = async (n: number): Promise<void> => {
      for (let i = n; !stop && Date.now() < stopAt; i += 8) {
        await api.get(`/api/v1/products/${ids[i % ids.length]}`).catch(() => undefined);
        views += 1;
      }
    };
    const viewers = Array.from({ length: 8 }, (_, n) => viewer(n));
    try {
      const scaled = await waitFor(
        async () => {
          const desired = hpa().status.desiredReplicas;
          return desired > before.spec.minReplicas && readyGateways() >= desired
            ? desired
            : undefined;
        },
        { timeoutMs: 240_000, intervalMs: 5_000, what: 'the gateway scaled out and Ready' },
      );
      expect(scaled).toBeGreaterThan(before.spec.minReplicas);
      expect(scaled).toBeLessThanOrEqual(before.spec.maxReplicas);
    } finally {
      stop = true;
      await Promise.all(viewers);
    }
    expect(views).toBeGreaterThan(100);
  });
});
