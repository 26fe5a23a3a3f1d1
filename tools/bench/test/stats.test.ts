import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { abba, formatRatio, latency, metricUpdates, percentile, ratio } from '../stats.ts';

describe('bench statistics', () => {
  it('takes percentiles by nearest rank, whatever the input order', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    assert.equal(percentile(values, 0.5), 5);
    assert.equal(percentile(values, 0.95), 10);
    assert.equal(percentile(values, 0), 1);
    assert.equal(percentile([], 0.5), 0);
    assert.deepEqual(latency([3, 1, 2]), { count: 3, p50: 2, p95: 3, p99: 3 });
  });

  it('counts metric updates: histogram counts and counters, not the runtime, not buckets', () => {
    const exposition = [
      '# HELP ordermesh_http_server_duration_seconds Duration of inbound HTTP requests',
      '# TYPE ordermesh_http_server_duration_seconds histogram',
      'ordermesh_http_server_duration_seconds_bucket{le="0.1",method="GET"} 7',
      'ordermesh_http_server_duration_seconds_sum{method="GET"} 0.25',
      'ordermesh_http_server_duration_seconds_count{method="GET"} 7',
      'ordermesh_http_server_duration_seconds_count{method="POST"} 3',
      'ordermesh_kafka_messages_produced_total{topic="order.placed.v1"} 5',
      'ordermesh_process_cpu_seconds_total 12.5',
      'ordermesh_nodejs_gc_duration_seconds_count{kind="minor"} 40',
      'ordermesh_outbox_backlog 2',
      '',
    ].join('\n');
    assert.equal(metricUpdates(exposition, ['ordermesh_process_', 'ordermesh_nodejs_']), 15);
  });

  it('reports ratios, and none against zero', () => {
    assert.equal(ratio(3, 2), 1.5);
    assert.equal(ratio(1, 0), null);
    assert.equal(formatRatio(1.234), '1.23× (+23 %)');
    assert.equal(formatRatio(0.9), '0.90× (-10 %)');
    assert.equal(formatRatio(null), '–');
  });

  it('orders phases ABBA so each variant sits at the same mean time', () => {
    assert.deepEqual(abba('a', 'b', 2), ['a', 'b', 'b', 'a', 'a', 'b', 'b', 'a']);
  });
});
