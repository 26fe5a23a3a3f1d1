#!/usr/bin/env node
// Static checks of observability/ (run by tools/observability/check.sh):
//   - every dashboard is a Grafana dashboard JSON model: uid, title, schemaVersion, a Prometheus
//     datasource variable, panels with unique ids, a gridPos within 24 columns, and targets with a
//     refId, a datasource and a PromQL expression using only defined template variables;
//   - every alert rule has a severity, a summary and a runbook_url that points to an existing
//     section of docs/runbooks.md;
//   - every ordermesh_* metric used by a dashboard or rule is listed in docs/telemetry-registry.md.
// Writes the dashboards' expressions (template variables substituted) as recording rules to the
// file given as the first argument, so that promtool can check their syntax.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DASHBOARDS = path.join(ROOT, 'observability/grafana/dashboards');
const RULES = path.join(ROOT, 'observability/prometheus/rules');
const out = process.argv[2];

/** Grafana's built-in variables and the value the checks substitute for each. */
const BUILTIN_VARIABLES = {
  __rate_interval: '1m',
  __interval: '15s',
  __range: '1h',
  __range_s: '3600',
};

const problems = [];
const problem = (where, message) => problems.push(`${where}: ${message}`);

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
export function anchorOf(heading) {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function runbookAnchors() {
  const text = readFileSync(path.join(ROOT, 'docs/runbooks.md'), 'utf8');
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => anchorOf(m[1])));
}

function registeredMetrics() {
  const text = readFileSync(path.join(ROOT, 'docs/telemetry-registry.md'), 'utf8');
  return new Set([...text.matchAll(/^\|\s*`(ordermesh_[a-z0-9_]+)`/gm)].map((m) => m[1]));
}

function checkMetrics(where, expr, registry) {
  for (const [name] of expr.matchAll(/\bordermesh_[a-z0-9_]+\b/g)) {
    const base = name.replace(/_(bucket|count|sum)$/, '');
    if (!registry.has(name) && !registry.has(base)) {
      problem(where, `metric ${name} is not in docs/telemetry-registry.md`);
    }
  }
}

function substitute(expr, variables) {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (match, braced, plain) => {
    const name = braced ?? plain;
    if (name in BUILTIN_VARIABLES) return BUILTIN_VARIABLES[name];
    if (name in variables) return variables[name];
    throw new Error(`undefined template variable ${match}`);
  });
}

const registry = registeredMetrics();
const anchors = runbookAnchors();
const records = [];
const uids = new Set();
const titles = new Set();

for (const file of readdirSync(DASHBOARDS)
  .filter((f) => f.endsWith('.json'))
  .sort()) {
  const where = `dashboards/${file}`;
  let d;
  try {
    d = JSON.parse(readFileSync(path.join(DASHBOARDS, file), 'utf8'));
  } catch (error) {
    problem(where, `not JSON: ${error.message}`);
    continue;
  }
  if (typeof d.uid !== 'string' || !/^[a-zA-Z0-9_-]{1,40}$/.test(d.uid))
    problem(where, 'uid must be 1-40 of [a-zA-Z0-9_-]');
  else if (uids.has(d.uid)) problem(where, `duplicate uid ${d.uid}`);
  uids.add(d.uid);
  if (typeof d.title !== 'string' || !d.title.trim()) problem(where, 'title missing');
  else if (titles.has(d.title)) problem(where, `duplicate title ${d.title}`);
  titles.add(d.title);
  if (!Number.isInteger(d.schemaVersion)) problem(where, 'schemaVersion missing');
  const variables = {};
  const list = d.templating?.list ?? [];
  for (const v of list) {
    if (!v.name || !v.type) problem(where, 'template variable without name or type');
    // Checks run with the "All" value of a variable, so every panel is evaluated for every service.
    variables[v.name] = v.allValue ?? v.current?.value ?? '.+';
  }
  const datasource = list.find((v) => v.type === 'datasource' && v.query === 'prometheus');
  if (!datasource) problem(where, 'needs a Prometheus datasource template variable');
  const dsRef = datasource ? `\${${datasource.name}}` : null;
  if (!Array.isArray(d.panels) || d.panels.length === 0) problem(where, 'no panels');
  const ids = new Set();
  let queries = 0;
  for (const p of d.panels ?? []) {
    const pw = `${where} panel "${p.title ?? p.id}"`;
    if (!Number.isInteger(p.id) || ids.has(p.id)) problem(pw, 'id missing or duplicate');
    ids.add(p.id);
    const g = p.gridPos;
    if (!g || ![g.h, g.w, g.x, g.y].every(Number.isInteger) || g.x + g.w > 24)
      problem(pw, 'bad gridPos');
    if (!p.type || !p.title) problem(pw, 'type and title are required');
    if (p.type === 'row' || p.type === 'text') continue;
    if (p.datasource?.type !== 'prometheus' || p.datasource?.uid !== dsRef) {
      problem(pw, `datasource must be { type: prometheus, uid: ${dsRef} }`);
    }
    if (!Array.isArray(p.targets) || p.targets.length === 0) {
      problem(pw, 'no targets');
      continue;
    }
    const refIds = new Set();
    for (const t of p.targets) {
      if (!t.refId || refIds.has(t.refId)) problem(pw, 'target refId missing or duplicate');
      refIds.add(t.refId);
      if (t.datasource && t.datasource.uid !== dsRef)
        problem(pw, 'target datasource differs from the panel');
      if (typeof t.expr !== 'string' || !t.expr.trim()) {
        problem(pw, `target ${t.refId} has no expr`);
        continue;
      }
      queries += 1;
      checkMetrics(pw, t.expr, registry);
      try {
        records.push({
          record: `dashboard:${d.uid.replace(/-/g, '_')}:${records.length}`,
          expr: substitute(t.expr, variables),
        });
      } catch (error) {
        problem(pw, error.message);
      }
    }
  }
  if (queries === 0) problem(where, 'no queries');
}

for (const file of readdirSync(RULES)
  .filter((f) => f.endsWith('.yml'))
  .sort()) {
  const where = `rules/${file}`;
  const doc = YAML.parse(readFileSync(path.join(RULES, file), 'utf8'));
  for (const group of doc?.groups ?? []) {
    for (const rule of group.rules ?? []) {
      const rw = `${where} ${rule.alert ?? rule.record}`;
      checkMetrics(rw, rule.expr, registry);
      if (!rule.alert) continue;
      if (!['page', 'ticket'].includes(rule.labels?.severity))
        problem(rw, 'severity must be page or ticket');
      if (!rule.annotations?.summary) problem(rw, 'summary annotation missing');
      const runbook = rule.annotations?.runbook_url ?? '';
      const match = /^docs\/runbooks\.md#([\w-]+)$/.exec(runbook);
      if (!match) problem(rw, `runbook_url must be docs/runbooks.md#<section>, is "${runbook}"`);
      else if (!anchors.has(match[1])) problem(rw, `docs/runbooks.md has no section #${match[1]}`);
    }
  }
}

if (out) {
  writeFileSync(
    out,
    YAML.stringify(
      { groups: [{ name: 'dashboard-expressions', rules: records }] },
      { lineWidth: 0 },
    ),
  );
}
if (problems.length) {
  console.error(problems.map((p) => `  ✘ ${p}`).join('\n'));
  console.error(`${problems.length} problem(s) in observability/`);
  process.exit(1);
}
console.log(
  `dashboards: ${uids.size} dashboards, ${records.length} queries valid; rules: runbooks and registry OK`,
);
