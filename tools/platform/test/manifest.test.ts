import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { COMPONENT_MANIFEST } from '../../../libs/contracts/src/services.ts';
import { chartUses, describePorts, dockerfile, stale, values, withTable } from '../manifest.ts';
import { getService, SERVICE_NAMES } from '../topology.ts';
import { REPO_ROOT } from '../state.ts';

const read = (f: string) => readFileSync(path.join(REPO_ROOT, f), 'utf8');

describe('the component manifest and its copies', () => {
  it('every copy is up to date (make manifest)', () => {
    assert.deepEqual(
      stale().map(([f]) => f),
      [],
    );
  });

  it('gives every component its own ports', () => {
    const ports = Object.values(COMPONENT_MANIFEST).flatMap((m) => Object.values(m.ports));
    assert.equal(new Set(ports).size, ports.length);
  });

  it('is what the local platform runs', () => {
    assert.deepEqual([...SERVICE_NAMES].sort(), Object.keys(COMPONENT_MANIFEST).sort());
    assert.deepEqual(getService('order').ports, { http: 9405, grpc: 50055 });
    assert.deepEqual(getService('gateway').ports, { http: 8080, management: 9490 });
    assert.equal(getService('notification').redisDb, 1);
    assert.equal(getService('product').store, 'mongodb');
    // after its store, Kafka and what it calls (its grpc-calls.ts)
    assert.ok(getService('order').dependsOn.includes('shipping'));
    assert.ok(!getService('product').dependsOn.includes('kafka'));
  });

  it('puts a changed port back in the chart, the Dockerfile and the tables', () => {
    const chart = read('charts/ordermesh/values.yaml');
    const drifted = chart.replace(
      'ports: { http: 9405, grpc: 50055 }',
      'ports: { http: 9405, grpc: 50099 }',
    );
    assert.notEqual(drifted, chart);
    assert.equal(values('values.yaml', drifted), chart);
    const unpublished = chart.replace(
      '  storefront:\n    enabled: true\n    public: true\n',
      '  storefront:\n    enabled: true\n',
    );
    assert.notEqual(unpublished, chart);
    assert.equal(values('values.yaml', unpublished), chart);
    const resized = chart.replace(/^ {2}heap: .*$/m, '  heap: { maxOldSpaceMiB: 1 }');
    assert.notEqual(resized, chart);
    assert.equal(values('values.yaml', resized), chart);
    const docker = read('docker/Dockerfile');
    assert.equal(
      dockerfile('Dockerfile', docker.replace('EXPOSE 50055 9405', 'EXPOSE 50055')),
      docker,
    );
    const readme = read('README.md');
    assert.equal(
      withTable('README.md', readme.replace('| gRPC 50055, HTTP 9405 |', '| gRPC 1 |')),
      readme,
    );
    assert.throws(() => withTable('x.md', 'no markers'), /no <!-- services table/);
  });

  it('describes ports and what the chart wires up', () => {
    assert.equal(describePorts(COMPONENT_MANIFEST.order), 'gRPC 50055, HTTP 9405');
    assert.equal(describePorts(COMPONENT_MANIFEST.gateway), 'HTTP 8080, management 9490');
    assert.deepEqual(chartUses(COMPONENT_MANIFEST.order), { postgresql: 'order_svc', kafka: true });
    assert.deepEqual(chartUses(COMPONENT_MANIFEST.gateway), { redis: true, jwt: true });
    assert.deepEqual(chartUses(COMPONENT_MANIFEST.storefront), { api: true });
  });
});
