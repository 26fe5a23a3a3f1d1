import { Metrics } from './metrics';

describe('Metrics', () => {
  it('exposes RED histograms and runtime metrics', async () => {
    const metrics = new Metrics('order');
    metrics.httpServerDuration.observe({ method: 'GET', route: '/x', status_code: '200' }, 0.003);
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'ordermesh_http_server_duration_seconds_bucket{le="0.005",method="GET",route="/x",status_code="200"} 1',
    );
    expect(text).toContain('ordermesh_process_cpu_seconds_total');
  });

  it('returns the same metric when asked twice, so modules can share it', () => {
    const metrics = new Metrics('order');
    const a = metrics.counter('ordermesh_things_total', 'things', ['kind']);
    const b = metrics.counter('ordermesh_things_total', 'things', ['kind']);
    expect(a).toBe(b);
  });
});
