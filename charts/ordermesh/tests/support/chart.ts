/* eslint-disable @typescript-eslint/no-explicit-any -- rendered manifests are untyped YAML; lookups are asserted by the tests */
// Helpers shared by the chart specs: paths, helm, the rendered scenarios and object queries.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, globSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments, parse as parseYaml } from 'yaml';

export const ROOT = path.resolve(__dirname, '../../../..');
export const CHART = path.join(ROOT, 'charts/ordermesh');
export const RENDER_DIR = path.join(ROOT, '.ordermesh/tmp/chart-tests');
export const RELEASE = 'ordermesh';
export const NAMESPACE = 'ordermesh';
const BIN = path.join(ROOT, '.ordermesh/tools/bin');
const NODE = process.execPath;

export type Obj = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [k: string]: any;
};

export interface Scenario {
  name: string;
  args: string[];
}

/** defaults + every ci/*-values.yaml */
export function scenarios(): Scenario[] {
  const ci = globSync('ci/*-values.yaml', { cwd: CHART }).sort();
  return [
    { name: 'defaults', args: [] },
    ...ci.map((f) => ({
      name: path.basename(f, '-values.yaml'),
      args: ['-f', path.join(CHART, f)],
    })),
  ];
}

export function ensureTools(): string {
  const helmPath = path.join(BIN, 'helm');
  // idempotent (a stamp file); re-extracts when the binaries went missing
  execFileSync(NODE, [path.join(ROOT, 'tools/chart/install-tools.mjs')], { stdio: 'ignore' });
  return helmPath;
}

export function helm(
  args: string[],
  cwd = ROOT,
): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(path.join(BIN, 'helm'), args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

const execFileAsync = promisify(execFile);
export async function helmAsync(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(path.join(BIN, 'helm'), args, {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

export function templateArgs(chartDir: string, extra: string[] = []): string[] {
  return ['template', RELEASE, chartDir, '--namespace', NAMESPACE, ...extra];
}

export function parseManifests(text: string): Obj[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => !!o && typeof o === 'object');
}

const cache = new Map<string, Obj[]>();
/** The objects of a scenario rendered by global-setup. */
export function rendered(name: string): Obj[] {
  if (!cache.has(name)) {
    const file = path.join(RENDER_DIR, `${name}.yaml`);
    if (!existsSync(file))
      throw new Error(
        `${file} missing: run the chart tests through jest (global-setup renders it)`,
      );
    cache.set(name, parseManifests(readFileSync(file, 'utf8')));
  }
  return cache.get(name)!;
}

export function values(): any {
  return parseYaml(readFileSync(path.join(CHART, 'values.yaml'), 'utf8'));
}

/** Service names of the chart (components), in values.yaml order. */
export function services(): string[] {
  return Object.keys(values().components);
}

export const find = (objs: Obj[], kind: string, name: string): Obj | undefined =>
  objs.find((o) => o.kind === kind && o.metadata.name === name);
export const ofKind = (objs: Obj[], ...kinds: string[]): Obj[] =>
  objs.filter((o) => kinds.includes(o.kind));
export const must = (objs: Obj[], kind: string, name: string): Obj => {
  const o = find(objs, kind, name);
  if (!o) throw new Error(`${kind}/${name} not rendered`);
  return o;
};

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'Job', 'DaemonSet'];
export function podSpec(o: Obj): any {
  return o.spec?.template?.spec;
}
export function podMeta(o: Obj): any {
  return o.spec?.template?.metadata ?? {};
}

/** Kubernetes quantity → cores / bytes */
export function cpu(q: string | number): number {
  const s = String(q);
  return s.endsWith('m') ? Number(s.slice(0, -1)) / 1000 : Number(s);
}
export function bytes(q: string | number): number {
  const s = String(q);
  const units: Record<string, number> = {
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
  };
  const m = /^([0-9.]+)([A-Za-z]*)$/.exec(s);
  if (!m) throw new Error(`bad quantity ${s}`);
  return Number(m[1]) * (m[2] ? units[m[2]]! : 1);
}

export const isIstio = (o: Obj) => o.apiVersion.includes('istio.io');

/** Does a label selector (matchLabels) select these labels? */
export function selects(
  selector: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (!selector || !labels) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}
