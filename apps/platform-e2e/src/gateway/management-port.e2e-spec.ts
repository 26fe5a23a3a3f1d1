import { waitFor } from '@ordermesh/testing';
import { connection } from '../support/connection-env';

/**
 * Readiness and metrics of the public services are on their management port, not on the public
 * one (issue 13, category 6): a client of the public API gets the bare liveness and nothing else
 * operational — no topology, no breaker states, no dependency errors, no readiness fan-out — while
 * the platform's readiness checks and Prometheus use the management port.
 */
const PUBLIC = ['gateway', 'storefront'] as const;

describe.each(PUBLIC.map((s) => [s]))('%s: management port', (service) => {
  const { http, management } = connection.services[service]!;

  it('has one of its own', () => {
    expect(new URL(management).port).not.toBe(new URL(http).port);
  });

  it('answers on the public port only the bare liveness', async () => {
    const live = await fetch(`${http}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'up' });
    for (const path of [
      '/health/ready',
      '/metrics',
      '/health/ready?verbose=1',
      '/METRICS',
      '/metrics/',
    ]) {
      const response = await fetch(`${http}${path}`);
      const text = await response.text();
      expect([path, response.status]).toEqual([path, 404]);
      expect(text).not.toMatch(/checks|breaker|ordermesh_|127\.0\.0\.1/);
    }
  });

  it('serves readiness and metrics on the management port', async () => {
    const ready = await waitFor(
      async () => {
        const response = await fetch(`${management}/health/ready`);
        return response.status === 200
          ? ((await response.json()) as { checks: object })
          : undefined;
      },
      { timeoutMs: 15_000, what: `${service} ready on its management port` },
    );
    expect(ready.checks).toBeDefined();
    const metrics = await (await fetch(`${management}/metrics`)).text();
    expect(metrics).toContain('ordermesh_http_server_duration_seconds');
  });

  it('is what Prometheus scrapes', async () => {
    const body = (await (
      await fetch(`${connection.prometheus.url}/api/v1/targets?state=active`)
    ).json()) as { data: { activeTargets: { labels: { service: string }; scrapeUrl: string }[] } };
    const targets = body.data.activeTargets.filter((t) => t.labels.service === service);
    expect(targets.map((t) => new URL(t.scrapeUrl).port)).toEqual([new URL(management).port]);
  });
});
