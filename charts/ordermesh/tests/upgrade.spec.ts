/* eslint-disable @typescript-eslint/no-explicit-any -- rendered manifests are untyped YAML; lookups are asserted by the tests */
// `helm upgrade` safety: fields Kubernetes refuses to change in place (or that would orphan data)
// must stay as they were in the previous release:
//  - the stored rendered release tests/previous/ordermesh-<version>.yaml (tools/chart/snapshot-previous.mjs), and
//  - the chart as committed at git HEAD, when HEAD has one.
import { execFileSync, spawnSync } from 'node:child_process';
import { globSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  CHART,
  helm,
  type Obj,
  parseManifests,
  rendered,
  ROOT,
  templateArgs,
} from './support/chart';

const current = rendered('defaults');
const key = (o: Obj) => `${o.kind}/${o.metadata.name}`;
const semver = (v: string) => v.split(/[.-]/).slice(0, 3).map(Number);
const cmp = (a: string, b: string) => {
  const [x, y] = [semver(a), semver(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
};

function immutable(o: Obj): unknown {
  switch (o.kind) {
    case 'Deployment':
    case 'DaemonSet':
    case 'ReplicaSet':
      return { selector: o.spec.selector };
    case 'StatefulSet':
      return {
        selector: o.spec.selector,
        serviceName: o.spec.serviceName,
        podManagementPolicy: o.spec.podManagementPolicy ?? 'OrderedReady',
        volumeClaimTemplates: (o.spec.volumeClaimTemplates ?? []).map((t: any) => ({
          name: t.metadata.name,
          spec: t.spec,
        })),
      };
    case 'Service':
      return {
        type: o.spec.type ?? 'ClusterIP',
        clusterIP: o.spec.clusterIP ?? '',
        headless: o.spec.clusterIP === 'None',
      };
    case 'PersistentVolumeClaim':
      return { spec: o.spec };
    default:
      return undefined;
  }
}

function compare(previous: Obj[], label: string) {
  const now = new Map(current.map((o) => [key(o), o]));
  describe(`upgrade from ${label}`, () => {
    it('keeps immutable fields (selectors, StatefulSet volumeClaimTemplates/serviceName, Service type/clusterIP)', () => {
      const changed: string[] = [];
      for (const old of previous) {
        const before = immutable(old);
        const after = now.get(key(old));
        if (before === undefined || !after) continue;
        if (JSON.stringify(before) !== JSON.stringify(immutable(after))) changed.push(key(old));
      }
      expect(changed).toEqual([]);
    });

    it('keeps every StatefulSet (their volumes hold data) and every Service name', () => {
      const gone = previous
        .filter((o) => ['StatefulSet', 'Service'].includes(o.kind) && !now.has(key(o)))
        .map(key);
      expect(gone).toEqual([]);
    });

    it('pod templates still match their (unchanged) selectors', () => {
      for (const o of current.filter((x) => x.spec?.selector?.matchLabels && x.spec?.template)) {
        const labels = o.spec.template.metadata.labels;
        for (const [k, v] of Object.entries(o.spec.selector.matchLabels))
          expect([key(o), k, labels[k]]).toEqual([key(o), k, v]);
      }
    });
  });
}

const chartVersion: string = parseYaml(
  readFileSync(path.join(CHART, 'Chart.yaml'), 'utf8'),
).version;
const snapshots = globSync('tests/previous/ordermesh-*.yaml', { cwd: CHART })
  .map((f) => ({ f, v: /ordermesh-(.+)\.yaml$/.exec(f)![1]! }))
  .sort((a, b) => cmp(a.v, b.v));

describe('previous release snapshot', () => {
  it('exists and is not newer than the chart', () => {
    expect(snapshots.length).toBeGreaterThan(0);
    expect(cmp(snapshots.at(-1)!.v, chartVersion)).toBeLessThanOrEqual(0);
  });
});

if (snapshots.length) {
  const latest = snapshots.at(-1)!;
  compare(
    parseManifests(readFileSync(path.join(CHART, latest.f), 'utf8')),
    `stored release ${latest.v}`,
  );
}

// The chart as committed at HEAD (skipped only when HEAD has no chart yet, e.g. before its first commit).
const inHead =
  spawnSync('git', ['cat-file', '-e', 'HEAD:charts/ordermesh/Chart.yaml'], { cwd: ROOT }).status ===
  0;
if (inHead) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ordermesh-chart-head-'));
  let previous: Obj[] = [];
  try {
    const tar = execFileSync('git', ['archive', 'HEAD', 'charts/ordermesh'], {
      cwd: ROOT,
      maxBuffer: 256 << 20,
    });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    const r = helm(templateArgs(path.join(dir, 'charts/ordermesh')));
    if (r.status !== 0) throw new Error(`rendering the HEAD chart failed: ${r.stderr}`);
    previous = parseManifests(r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  compare(previous, 'git HEAD');
} else {
  describe('upgrade from git HEAD', () => {
    it.todo('HEAD has no charts/ordermesh yet — compared against the stored release only');
  });
}
