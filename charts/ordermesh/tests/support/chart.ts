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

/** A Helm the chart is linted and rendered with (tools/chart/install-tools.mjs installs both). */
export interface Helm {
  /** folder of its lint/render results under RENDER_DIR */
  id: 'helm4' | 'helm3';
  label: string;
  bin: string;
}
/** Helm 4 from the npm kubectl layer; the content specs (policy, schemas, ...) read its render. */
export const HELM4: Helm = { id: 'helm4', label: 'Helm 4', bin: path.join(BIN, 'helm') };
/** Helm 3 built from the Go module helm.sh/helm/v3 (`install-tools.mjs --helm3`). */
export const HELM3: Helm = { id: 'helm3', label: 'Helm 3', bin: path.join(BIN, 'helm3') };
export const HELMS: Helm[] = [HELM4, HELM3];

export function ensureTools(): Helm[] {
  // idempotent (stamp files): re-extracts helm 4/kubectl when missing; builds helm3 once (minutes)
  execFileSync(NODE, [path.join(ROOT, 'tools/chart/install-tools.mjs'), '--helm3'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return HELMS;
}

export function helm(
  args: string[],
  h: Helm = HELM4,
): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(h.bin, args, {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

const execFileAsync = promisify(execFile);
export async function helmAsync(args: string[], h: Helm = HELM4): Promise<string> {
  const { stdout } = await execFileAsync(h.bin, args, {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** Where global-setup put a scenario's result (`yaml`, `lint`, `error`) for one Helm. */
export function renderFile(h: Helm, name: string, ext: 'yaml' | 'lint' | 'error'): string {
  return path.join(RENDER_DIR, h.id, `${name}.${ext}`);
}

export function templateArgs(chartDir: string, extra: string[] = []): string[] {
  return ['template', RELEASE, chartDir, '--namespace', NAMESPACE, ...extra];
}

export function parseManifests(text: string): Obj[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => !!o && typeof o === 'object');
}

/** The text of a scenario rendered by global-setup (`helm template`). */
export function renderedText(name: string, h: Helm = HELM4): string {
  const file = renderFile(h, name, 'yaml');
  if (!existsSync(file))
    throw new Error(`${file} missing: run the chart tests through jest (global-setup renders it)`);
  return readFileSync(file, 'utf8');
}

const cache = new Map<string, Obj[]>();
/** The objects of a scenario rendered by global-setup (with Helm 4 unless told). */
export function rendered(name: string, h: Helm = HELM4): Obj[] {
  const key = `${h.id}/${name}`;
  if (!cache.has(key)) cache.set(key, parseManifests(renderedText(name, h)));
  return cache.get(key)!;
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
