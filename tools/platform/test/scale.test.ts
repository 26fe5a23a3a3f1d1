import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CALL_GRAPH, callersOf } from '../calls.ts';
import { parseScaleArgs } from '../cli.ts';
import { Platform } from '../platform.ts';

describe('scale <service> <n>', () => {
  it('parses a service and a replica count', () => {
    assert.deepEqual(parseScaleArgs(['inventory', '3']), { service: 'inventory', n: 3 });
    assert.deepEqual(parseScaleArgs(['product', '1']), { service: 'product', n: 1 });
  });

  it('refuses what it cannot do, saying why', () => {
    assert.throws(() => parseScaleArgs(['inventory']), /scale <service> <n>/);
    assert.throws(() => parseScaleArgs(['inventory', '2', '3']), /scale <service> <n>/);
    assert.throws(() => parseScaleArgs(['kafka', '2']), /"kafka" is not a service/);
    assert.throws(() => parseScaleArgs(['gateway', '2']), /one public port/);
    for (const n of ['0', '10', '-1', '2.5', 'three', ''])
      assert.throws(() => parseScaleArgs(['inventory', n]), /from 1 to 9/, n);
  });
});

describe('the callers a scale restarts', () => {
  it("come from every service's grpc-calls.ts", () => {
    const graph = CALL_GRAPH;
    assert.deepEqual(callersOf(graph, 'inventory'), ['product', 'order', 'gateway']);
    assert.deepEqual(callersOf(graph, 'payment'), ['order']);
    assert.deepEqual(callersOf(graph, 'order'), ['gateway']);
  });

  it('never include the service itself', () => {
    assert.deepEqual(callersOf({ a: ['a', 'b'], b: ['a'] }, 'a'), ['b']);
  });
});

describe('a scaled platform', () => {
  // A profile whose state says inventory runs 3 replicas (no process is started).
  const repo = mkdtempSync(join(tmpdir(), 'ordermesh-scale-'));
  after(() => rmSync(repo, { recursive: true, force: true }));
  const state = join(repo, '.ordermesh', 'run', 'test');
  mkdirSync(state, { recursive: true });
  writeFileSync(join(state, 'state.json'), JSON.stringify({ replicas: { inventory: 3 } }));
  const p = new Platform('test', { repo, env: {}, log: () => undefined });

  it('lists every replica after its service, with its own ports', () => {
    const names = p.componentNames();
    const at = names.indexOf('inventory');
    assert.deepEqual(names.slice(at, at + 4), [
      'inventory',
      'inventory#2',
      'inventory#3',
      'pricing',
    ]);
    assert.deepEqual(p.ports['inventory#3'], { http: 19423, grpc: 30073 });
    assert.equal(p.replicas('inventory'), 3);
    assert.equal(p.replicas('order'), 1);
    assert.equal(
      p.serviceEnv('order').INVENTORY_GRPC_ADDR,
      'ipv4:127.0.0.1:30053,127.0.0.1:30063,127.0.0.1:30073',
    );
  });

  it("acts on every replica for a service's name, on one for <service>#k", () => {
    assert.deepEqual(p.targets('inventory'), ['inventory', 'inventory#2', 'inventory#3']);
    assert.deepEqual(p.targets('inventory#2'), ['inventory#2']);
    assert.deepEqual(p.targets('inventory#1'), ['inventory']);
    assert.deepEqual(p.targets('kafka'), ['kafka']);
    assert.deepEqual(p.targets('order'), ['order']);
  });

  it('refuses a replica the service does not run, and replicas of infrastructure', () => {
    assert.throws(() => p.resolveName('inventory#4'), /inventory runs 3 replica\(s\)/);
    assert.throws(() => p.resolveName('order#2'), /order runs 1 replica\(s\)/);
    assert.throws(() => p.resolveName('kafka#2'), /only services have replicas/);
    assert.throws(() => p.resolveName('inventory#x'), /not a replica number/);
    assert.throws(() => p.resolveName('nope'), /unknown component/);
  });
});
