import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callersOf, loadCallGraph } from '../calls.ts';
import { parseScaleArgs } from '../cli.ts';
import { REPO_ROOT } from '../state.ts';

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
  it("come from every service's grpc-calls.ts", async () => {
    const graph = await loadCallGraph(REPO_ROOT);
    assert.deepEqual(callersOf(graph, 'inventory'), ['product', 'order', 'gateway']);
    assert.deepEqual(callersOf(graph, 'payment'), ['order']);
    assert.deepEqual(callersOf(graph, 'order'), ['gateway']);
  });

  it('never include the service itself', () => {
    assert.deepEqual(callersOf({ a: ['a', 'b'], b: ['a'] }, 'a'), ['b']);
  });
});
