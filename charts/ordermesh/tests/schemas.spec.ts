// Every rendered object validates against the Kubernetes / Istio CRD schemas (kubernetes-models,
// @kubernetes-models/istio) and has no field unknown to them. See tools/chart/validate-manifests.mjs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RENDER_DIR, scenarios } from './support/chart';

type Entry = { file: string; index: number; kind: string; name: string; errors: string[] };
const report: Entry[] = JSON.parse(readFileSync(path.join(RENDER_DIR, 'validation.json'), 'utf8'));

describe('Kubernetes and Istio schemas', () => {
  it('manifests outside the chart (k8s/, k8s/istio/, istio/) are valid', () => {
    const outside = report.filter((e) => !e.file.includes('.ordermesh/tmp/'));
    expect(outside.map((e) => path.relative(RENDER_DIR, e.file)).length).toBeGreaterThanOrEqual(4);
    expect(
      outside
        .filter((e) => e.errors.length)
        .map((e) => `${e.file}: ${e.kind}/${e.name}: ${e.errors.join('; ')}`),
    ).toEqual([]);
  });

  it.each(scenarios().map((s) => [s.name]))('%s: every object is valid', (name) => {
    const mine = report.filter((e) => path.basename(e.file) === `${name}.yaml`);
    expect(mine.length).toBeGreaterThan(20);
    const invalid = mine
      .filter((e) => e.errors.length)
      .map((e) => `${e.kind}/${e.name}: ${e.errors.join('; ')}`);
    expect(invalid).toEqual([]);
  });
});
