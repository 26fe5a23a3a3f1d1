#!/usr/bin/env node
// Copies the files the Helm chart needs from the rest of the repo into charts/ordermesh/files/
// (Helm cannot read outside the chart directory):
//   observability/grafana/dashboards/*.json    → files/dashboards/
//   observability/prometheus/rules/*.yml       → files/prometheus-rules/
//   libs/contracts/src/events/topics.json      → files/topics.json   (normalised, + `<topic>.dlq`)
//   apps/<svc>/src/config/grpc-calls.ts        → files/call-graph.json (every service of values.yaml)
//   libs/contracts/proto/ordermesh/*/v1/*.proto → files/retryable-methods.json (per gRPC service, the
//                                                 RPCs whose `idempotency_level` is NO_SIDE_EFFECTS
//                                                 or IDEMPOTENT: the only ones the mesh retries)
// and then, from the rendered chart, istio/fault/payment-{delay,abort}.yaml (generate-faults.mjs) and
// charts/rendered/<scenario>.yaml, the chart rendered with each values file it is tested with
// (render-examples.mjs).
//
//   node tools/chart/sync-assets.mjs           # write
//   node tools/chart/sync-assets.mjs --check   # exit 1 when files/, istio/fault/ or charts/rendered/
//                                              # is out of date
//                                              # (CI, chart tests, make deploy)
//
// While a service has no grpc-calls.ts yet, its calls come from the TEMPORARY fixture
// charts/ordermesh/tests/fixtures/planned/grpc-calls.ts; once that folder is deleted, a missing
// grpc-calls.ts is an error. A missing dashboards/rules folder just means "none yet".
import { existsSync, globSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadSync } from '@grpc/proto-loader';
import { parse as parseYaml } from 'yaml';
import { diffFaults, writeFaults } from './generate-faults.mjs';
import { diffRenders, writeRenders } from './render-examples.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const chartDir = path.join(root, 'charts/ordermesh');
const filesDir = path.join(chartDir, 'files');
const fixtureCalls = path.join(chartDir, 'tests/fixtures/planned/grpc-calls.ts');
const protoRoot = path.join(root, 'libs/contracts/proto');
const PROTO_GLOB = 'ordermesh/*/v1/*.proto';

const json = (value) => `${JSON.stringify(value, null, 2)}\n`;

/** Services of the chart, in values.yaml order. */
export function chartServices() {
  const values = parseYaml(readFileSync(path.join(chartDir, 'values.yaml'), 'utf8'));
  return Object.keys(values.components);
}

function normaliseTopics(source) {
  const list = Array.isArray(source)
    ? source
    : (source.topics ?? Object.entries(source).map(([name, v]) => ({ name, ...v })));
  const topics = new Map();
  for (const entry of list) {
    const t = typeof entry === 'string' ? { name: entry } : entry;
    const name = t.name ?? t.topic;
    if (typeof name !== 'string' || !name)
      throw new Error(`topics.json: entry without a name: ${JSON.stringify(entry)}`);
    const out = { name };
    if (t.partitions !== undefined) out.partitions = Number(t.partitions);
    topics.set(name, out);
    if (!name.endsWith('.dlq') && t.dlq !== false) {
      const dlq = `${name}.dlq`;
      if (!topics.has(dlq))
        topics.set(dlq, { name: dlq, ...(out.partitions ? { partitions: out.partitions } : {}) });
    }
  }
  return [...topics.values()].sort((a, b) => a.name.localeCompare(b.name));
}

// Node 24 strips erasable TypeScript (grpc-calls.ts is a plain `as const` object); silence its
// notes about type stripping and module-type detection.
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  const text = `${warning} ${JSON.stringify(rest)}`;
  if (/MODULE_TYPELESS_PACKAGE_JSON|Type Stripping|strip-types/i.test(text)) return;
  return emitWarning.call(process, warning, ...rest);
};

async function importTs(file) {
  return import(pathToFileURL(file).href);
}

async function callGraph() {
  const services = chartServices();
  const fixture = existsSync(fixtureCalls)
    ? (await importTs(fixtureCalls)).plannedGrpcCalls
    : undefined;
  const graph = {};
  const sources = {};
  const problems = [];
  for (const svc of services) {
    const file = path.join(root, 'apps', svc, 'src/config/grpc-calls.ts');
    let calls;
    if (existsSync(file)) {
      calls = (await importTs(file)).grpcCalls;
      sources[svc] = `apps/${svc}/src/config/grpc-calls.ts`;
      if (!calls || typeof calls !== 'object')
        problems.push(`${sources[svc]} does not export grpcCalls`);
    } else if (fixture && fixture[svc]) {
      calls = fixture[svc];
      sources[svc] = 'fixture (planned graph)';
    } else {
      problems.push(`apps/${svc}/src/config/grpc-calls.ts is missing`);
      continue;
    }
    graph[svc] = Object.fromEntries(
      Object.keys(calls ?? {})
        .sort()
        .map((callee) => [callee, [...calls[callee]].sort()]),
    );
  }
  if (problems.length) throw new Error(problems.join('\n'));
  return {
    $comment:
      'Generated by tools/chart/sync-assets.mjs from apps/<svc>/src/config/grpc-calls.ts. Do not edit.',
    sources,
    services: graph,
  };
}

// google.protobuf.MethodOptions.IdempotencyLevel; proto-loader gives the name (or, with
// `enums: Number`, the number).
const RETRYABLE_LEVELS = new Set(['NO_SIDE_EFFECTS', 'IDEMPOTENT', 1, 2]);

/**
 * Per gRPC service of the contracts (`ordermesh.<domain>.v1.<Domain>Service`), the RPCs the proto
 * declares safe to repeat. An RPC without `option idempotency_level` is never retried.
 */
function retryableMethods() {
  const files = globSync(PROTO_GLOB, { cwd: protoRoot }).sort();
  if (!files.length) throw new Error(`no protos match libs/contracts/proto/${PROTO_GLOB}`);
  const definition = loadSync(files, { includeDirs: [protoRoot] });
  const services = {};
  for (const name of Object.keys(definition).sort()) {
    const entry = definition[name];
    // message and enum definitions carry a `format`; a service is a map of method definitions
    if (!name.startsWith('ordermesh.') || 'format' in entry) continue;
    const methods = Object.entries(entry);
    if (!methods.every(([, m]) => typeof m?.path === 'string')) continue;
    services[name] = methods
      .filter(([, m]) => RETRYABLE_LEVELS.has(m.options?.idempotency_level))
      .map(([method]) => method)
      .sort();
  }
  return {
    $comment: `Generated by tools/chart/sync-assets.mjs from libs/contracts/proto/${PROTO_GLOB}: per gRPC service, the RPCs declaring idempotency_level NO_SIDE_EFFECTS or IDEMPOTENT, the only ones the mesh retries. Do not edit.`,
    services,
  };
}

/** Every file the chart should contain: relative path under files/ → content. */
export async function expectedAssets() {
  const out = new Map();
  for (const f of globSync('observability/grafana/dashboards/*.json', { cwd: root }).sort()) {
    out.set(`dashboards/${path.basename(f)}`, readFileSync(path.join(root, f), 'utf8'));
  }
  for (const f of globSync('observability/prometheus/rules/*.{yml,yaml}', { cwd: root }).sort()) {
    out.set(
      `prometheus-rules/${path.basename(f).replace(/\.yaml$/, '.yml')}`,
      readFileSync(path.join(root, f), 'utf8'),
    );
  }
  const topicsFile = path.join(root, 'libs/contracts/src/events/topics.json');
  const topics = existsSync(topicsFile)
    ? normaliseTopics(JSON.parse(readFileSync(topicsFile, 'utf8')))
    : [];
  out.set(
    'topics.json',
    json({
      $comment: existsSync(topicsFile)
        ? 'Generated by tools/chart/sync-assets.mjs from libs/contracts/src/events/topics.json (+ <topic>.dlq). Do not edit.'
        : 'libs/contracts/src/events/topics.json does not exist yet: no topics.',
      topics,
    }),
  );
  out.set('call-graph.json', json(await callGraph()));
  out.set('retryable-methods.json', json(retryableMethods()));
  return out;
}

function currentAssets() {
  const out = new Map();
  for (const f of globSync(
    '{dashboards/*.json,prometheus-rules/*.yml,topics.json,call-graph.json,retryable-methods.json}',
    { cwd: filesDir },
  )) {
    out.set(f, readFileSync(path.join(filesDir, f), 'utf8'));
  }
  return out;
}

export async function diffAssets() {
  const want = await expectedAssets();
  const have = currentAssets();
  const drift = [];
  for (const [f, content] of want) {
    if (!have.has(f)) drift.push(`missing  files/${f}`);
    else if (have.get(f) !== content) drift.push(`stale    files/${f}`);
  }
  for (const f of have.keys()) if (!want.has(f)) drift.push(`extra    files/${f}`);
  return { want, drift };
}

async function main() {
  const check = process.argv.includes('--check');
  const { want, drift } = await diffAssets();
  if (check) {
    // the fault files are rendered from the chart as it is (files/ included)
    const faults = await diffFaults();
    const renders = diffRenders();
    const stale = [...drift, ...faults.drift, ...renders.drift];
    if (stale.length) {
      console.error(
        `chart assets out of sync — run: node tools/chart/sync-assets.mjs\n  ${stale.join('\n  ')}`,
      );
      process.exit(1);
    }
    console.log(
      `chart assets in sync (${want.size} files, ${faults.want.size} fault files, ${renders.want.size} renders)`,
    );
    return;
  }
  for (const dir of ['dashboards', 'prometheus-rules'])
    rmSync(path.join(filesDir, dir), { recursive: true, force: true });
  for (const [f, content] of want) {
    mkdirSync(path.dirname(path.join(filesDir, f)), { recursive: true });
    writeFileSync(path.join(filesDir, f), content);
  }
  // after files/: the fault files are rendered from the chart with the fresh files
  const faults = await writeFaults();
  const renders = writeRenders();
  const changed = [...drift, ...faults.drift, ...renders.drift];
  console.log(
    changed.length
      ? `updated:\n  ${changed.join('\n  ')}`
      : `chart assets already in sync (${want.size} files, ${faults.want.size} fault files, ${renders.want.size} renders)`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`sync-assets: ${err.message}`);
    process.exit(1);
  });
}
