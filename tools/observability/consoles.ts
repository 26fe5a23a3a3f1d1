#!/usr/bin/env node
// The Grafana dashboards of observability/grafana/dashboards/*.json as Prometheus console
// templates, so they can be looked at locally with nothing but the platform's Prometheus (Debian's
// Prometheus 2.42 serves console templates; Grafana is not part of the local platform):
//   observability/prometheus/consoles/ordermesh/index.html       a list of the dashboards
//   observability/prometheus/consoles/ordermesh/<name>.html      one page per dashboard
// The pages use the templates of observability/prometheus/console_libraries/ordermesh.lib
// (written by hand: Debian ships Prometheus' own prom.lib only as a documentation example) and
// the console JavaScript Prometheus serves under /classic/static (PromConsole.Graph).
//
//   node tools/observability/consoles.ts          write the pages
//   node tools/observability/consoles.ts --check  fail when a committed page differs
//
// Timeseries panels become PromConsole.Graph graphs (one line per series, Grafana's legend format
// as the series name); stat panels a table of the `query` results, evaluated when the page is
// served. Template variables become URL parameters (`service.html?service=order`); without one
// the variable's "All" value applies, as in the checks of tools/observability/check-dashboards.mjs.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const DASHBOARDS = 'observability/grafana/dashboards';
export const CONSOLES = 'observability/prometheus/consoles';
export const LIBRARIES = 'observability/prometheus/console_libraries';
/** The pages' folder under --web.console.templates: /consoles/ordermesh/index.html. */
export const FOLDER = 'ordermesh';

/** Grafana's built-in interval variables, fixed for the local platform (5 s scrapes). */
const BUILTIN_VARIABLES: Record<string, string> = {
  __rate_interval: '1m',
  __interval: '15s',
  __range: '1h',
  __range_s: '3600',
};

export interface GrafanaTarget {
  refId?: string;
  expr?: string;
  legendFormat?: string;
}

export interface GrafanaPanel {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos?: { h: number; w: number; x: number; y: number };
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: GrafanaTarget[];
}

export interface GrafanaVariable {
  name: string;
  type: string;
  label?: string;
  allValue?: string;
  query?: string | { query?: string };
}

export interface GrafanaDashboard {
  uid: string;
  title: string;
  description?: string;
  templating?: { list?: GrafanaVariable[] };
  panels: GrafanaPanel[];
}

/** A dashboard variable a page takes as a URL parameter. */
interface PageVariable {
  name: string;
  label: string;
  /** The value without a parameter (Grafana's "All"). */
  all: string;
  /** PromQL whose series' `label` values are the choices (from `label_values(metric, label)`). */
  choices?: { expr: string; label: string };
}

/** The page of a dashboard: its uid without the common `ordermesh-` prefix. */
export function pageName(uid: string): string {
  return `${uid.replace(/^ordermesh-/, '')}.html`;
}

const html = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`).replace(/\{\{/g, '&#123;&#123;');

/** Literal text in a Go template must not open an action. */
function literal(where: string, s: string): string {
  if (s.includes('{{') || s.includes('}}')) throw new Error(`${where}: "{{" or "}}" in ${s}`);
  return s;
}

/** Go template raw string: PromQL goes between backquotes, which it must not contain. */
function goRaw(where: string, s: string): string {
  if (s.includes('`')) throw new Error(`${where}: a backquote in ${s}`);
  return `\`${s}\``;
}

/** Substitutes Grafana's built-in variables; dashboard variables stay as `$name`. */
export function withBuiltins(where: string, expr: string, variables: readonly string[]): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (match, braced?: string, plain?: string) => {
    const name = (braced ?? plain)!;
    const builtin = BUILTIN_VARIABLES[name];
    if (builtin !== undefined) return builtin;
    if (variables.includes(name)) return `$${name}`;
    throw new Error(`${where}: undefined template variable ${match}`);
  });
}

/**
 * A stat query as a Go template pipeline: the expression, with each dashboard variable a `%s` of
 * printf filled from the page's `$<name>` template variable.
 */
export function goQuery(where: string, expr: string, variables: readonly string[]): string {
  const used: string[] = [];
  const format = expr.replace(/%/g, '%%').replace(/\$(\w+)/g, (match, name: string) => {
    if (!variables.includes(name)) throw new Error(`${where}: unknown variable ${match}`);
    used.push(name);
    return '%s';
  });
  if (used.length === 0) return `query ${goRaw(where, expr)}`;
  return `query (printf ${goRaw(where, format)} ${used.map((n) => `$${n}`).join(' ')})`;
}

/** Grafana's legend format (`{{service}} http`) for PromConsole.Graph (`[[service]] http`). */
export function graphName(legendFormat: string | undefined): string | null {
  if (!legendFormat || legendFormat === '__auto') return null;
  return legendFormat.replace(/\{\{\s*(\w+)\s*\}\}/g, '[[$1]]');
}

/** Grafana's legend format as Go template text over a query result sample (`.Labels`). */
export function statName(
  where: string,
  legendFormat: string | undefined,
  fallback: string,
): string {
  const text = legendFormat && legendFormat !== '__auto' ? legendFormat : fallback;
  let out = '';
  let last = 0;
  for (const m of text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)) {
    out += html(literal(where, text.slice(last, m.index)));
    out += `{{ index .Labels "${m[1]}" }}`;
    last = m.index + m[0].length;
  }
  return out + html(literal(where, text.slice(last)));
}

/** How a stat value is printed (Prometheus' template functions), by Grafana unit. */
function statValue(unit: string | undefined): string {
  switch (unit) {
    case 'percentunit':
      return '{{ humanizePercentage .Value }}';
    case 's':
      return '{{ humanizeDuration .Value }}';
    case 'bytes':
      return '{{ humanize1024 .Value }}B';
    case 'reqps':
      return '{{ humanize .Value }}/s';
    default:
      return '{{ humanize .Value }}';
  }
}

function variablesOf(d: GrafanaDashboard): PageVariable[] {
  const out: PageVariable[] = [];
  for (const v of d.templating?.list ?? []) {
    if (v.type === 'datasource') continue; // the page's own Prometheus
    const query = typeof v.query === 'string' ? v.query : (v.query?.query ?? '');
    const m = /^label_values\((.+),\s*(\w+)\)$/.exec(query.trim());
    out.push({
      name: v.name,
      label: v.label ?? v.name,
      all: v.allValue ?? '.+',
      ...(m ? { choices: { expr: `count by (${m[2]}) (${m[1]})`, label: m[2]! } } : {}),
    });
  }
  return out;
}

/** Panels in reading order: Grafana's grid top to bottom, left to right. */
function ordered(panels: readonly GrafanaPanel[]): GrafanaPanel[] {
  return [...panels].sort(
    (a, b) =>
      (a.gridPos?.y ?? 0) - (b.gridPos?.y ?? 0) || (a.gridPos?.x ?? 0) - (b.gridPos?.x ?? 0),
  );
}

function nav(dashboards: readonly GrafanaDashboard[], current: string | null): string {
  const items = dashboards.map((d) => {
    const page = pageName(d.uid);
    const attrs = page === current ? ' aria-current="page"' : '';
    return `  <a href="{{ pathPrefix }}/consoles/${FOLDER}/${page}"${attrs}>${html(d.title)}</a>`;
  });
  return [
    '<nav class="om-nav" aria-label="dashboards">',
    `  <a href="{{ pathPrefix }}/consoles/${FOLDER}/index.html"${current === null ? ' aria-current="page"' : ''}>Dashboards</a>`,
    ...items,
    '  <a href="{{ pathPrefix }}/alerts">Alerts</a>',
    '</nav>',
  ].join('\n');
}

function variableLines(variables: readonly PageVariable[]): string[] {
  const lines: string[] = [];
  for (const v of variables) {
    // Anything but a plain label value (or no parameter) means "All": the value goes into PromQL.
    lines.push(
      `{{ $${v.name} := ${goRaw(v.name, v.all)} }}{{ if match "^[A-Za-z0-9_:#.-]+$" .Params.${v.name} }}{{ $${v.name} = .Params.${v.name} }}{{ end }}`,
    );
  }
  return lines;
}

function variableForm(variables: readonly PageVariable[]): string[] {
  const lines: string[] = [];
  for (const v of variables) {
    lines.push(`<p class="om-variable">${html(v.label)}: `);
    lines.push(
      `  <a href="?"{{ if eq $${v.name} ${goRaw(v.name, v.all)} }} aria-current="true"{{ end }}>All</a>`,
    );
    if (v.choices) {
      lines.push(
        `  {{ range ${goQuery(v.name, v.choices.expr, [])} | sortByLabel "${v.choices.label}" }}{{ $value := index .Labels "${v.choices.label}" }}<a href="?${v.name}={{ $value }}"{{ if eq $value $${v.name} }} aria-current="true"{{ end }}>{{ $value }}</a> {{ end }}`,
      );
    }
    lines.push('</p>');
  }
  return lines;
}

function panelLines(
  file: string,
  panel: GrafanaPanel,
  variables: readonly string[],
): string[] | null {
  const where = `${file} panel "${panel.title}"`;
  const width = Math.min(24, Math.max(1, panel.gridPos?.w ?? 24));
  if (panel.type === 'row') {
    return [`<h2 class="om-row">${html(literal(where, panel.title))}</h2>`];
  }
  if (panel.type === 'text') return null;
  const targets = (panel.targets ?? []).filter((t) => t.expr);
  if (targets.length === 0) throw new Error(`${where}: no PromQL targets`);
  const unit = panel.fieldConfig?.defaults?.unit;
  const title = html(literal(where, panel.title));
  const id = `panel-${panel.id}`;
  const lines = [
    `<section class="om-panel om-${panel.type === 'stat' ? 'stat' : 'graph'}" id="${id}" data-title="${title}" style="grid-column: span ${width}">`,
    `  <h3>${title}</h3>`,
  ];
  if (panel.description) {
    lines.push(`  <p class="om-description">${html(literal(where, panel.description))}</p>`);
  }
  if (panel.type === 'stat') {
    lines.push('  <table class="om-values">');
    for (const t of targets) {
      const expr = withBuiltins(where, t.expr!, variables);
      const name = statName(where, t.legendFormat, t.refId ?? '');
      lines.push(
        `    {{ with ${goQuery(where, expr, variables)} }}{{ range . }}<tr class="om-value"><th>${name}</th><td>${statValue(unit)}</td></tr>{{ end }}{{ else }}<tr class="om-nodata"><th>${html(t.legendFormat ?? t.refId ?? '')}</th><td>no data</td></tr>{{ end }}`,
      );
    }
    lines.push('  </table>');
  } else {
    const exprs = targets.map((t) => withBuiltins(where, t.expr!, variables));
    const names = targets.map((t) => graphName(t.legendFormat));
    for (const s of [...exprs, ...names.filter((n): n is string => n !== null)]) literal(where, s);
    lines.push(
      `  <div class="om-graph-node" id="${id}-graph"></div>`,
      `  <script>ordermesh.graph(${JSON.stringify(`${id}-graph`)}, ${JSON.stringify(exprs)}, ${JSON.stringify(names)}, ${JSON.stringify(unit ?? '')});</script>`,
    );
  }
  lines.push('</section>');
  return lines;
}

export function dashboardPage(
  file: string,
  d: GrafanaDashboard,
  all: readonly GrafanaDashboard[],
): string {
  const variables = variablesOf(d);
  const names = variables.map((v) => v.name);
  const body: string[] = [];
  for (const panel of ordered(d.panels)) {
    const lines = panelLines(file, panel, names);
    if (lines) body.push(...lines);
  }
  const vars = `{ ${variables.map((v) => `${JSON.stringify(v.name)}: {{ $${v.name} }}`).join(', ')} }`;
  return [
    `{{/* Generated by tools/observability/consoles.ts from ${DASHBOARDS}/${file}: do not edit. */}}`,
    ...variableLines(variables),
    `{{ template "ordermesh_head" ${goRaw(file, d.title)} }}`,
    `<script>ordermesh.variables = ${vars};</script>`,
    nav(all, pageName(d.uid)),
    '<main class="om-dashboard">',
    `<h1>${html(literal(file, d.title))}</h1>`,
    ...(d.description ? [`<p>${html(literal(file, d.description))}</p>`] : []),
    ...variableForm(variables),
    '{{ template "ordermesh_timecontrol" }}',
    '<div class="om-grid">',
    ...body,
    '</div>',
    '</main>',
    '{{ template "ordermesh_tail" }}',
    '',
  ].join('\n');
}

export function indexPage(dashboards: readonly { file: string; d: GrafanaDashboard }[]): string {
  const rows = dashboards.map(({ file, d }) => {
    const panels = d.panels.filter((p) => p.type !== 'row' && p.type !== 'text').length;
    const vars = variablesOf(d)
      .map((v) => v.name)
      .join(', ');
    return `  <tr><td><a href="{{ pathPrefix }}/consoles/${FOLDER}/${pageName(d.uid)}">${html(d.title)}</a></td><td>${panels}</td><td>${html(vars || '–')}</td><td><code>${html(`${DASHBOARDS}/${file}`)}</code></td></tr>`;
  });
  return [
    `{{/* Generated by tools/observability/consoles.ts from ${DASHBOARDS}/*.json: do not edit. */}}`,
    '{{ template "ordermesh_head" "Ordermesh dashboards" }}',
    nav(
      dashboards.map((x) => x.d),
      null,
    ),
    '<main class="om-dashboard">',
    '<h1>Ordermesh dashboards</h1>',
    '<p>The Grafana dashboards the Helm chart ships, served by this Prometheus as console pages.</p>',
    '<table class="om-index">',
    '  <tr><th>dashboard</th><th>panels</th><th>URL parameters</th><th>source</th></tr>',
    ...rows,
    '</table>',
    '</main>',
    '{{ template "ordermesh_tail" }}',
    '',
  ].join('\n');
}

export function readDashboards(root = ROOT): { file: string; d: GrafanaDashboard }[] {
  const dir = path.join(root, DASHBOARDS);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({
      file,
      d: JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as GrafanaDashboard,
    }));
}

/** Every generated file, by path relative to the repository. */
export function outputs(root = ROOT): Map<string, string> {
  const dashboards = readDashboards(root);
  const out = new Map<string, string>();
  const all = dashboards.map((x) => x.d);
  out.set(`${CONSOLES}/${FOLDER}/index.html`, indexPage(dashboards));
  for (const { file, d } of dashboards) {
    out.set(`${CONSOLES}/${FOLDER}/${pageName(d.uid)}`, dashboardPage(file, d, all));
  }
  return out;
}

function main(): void {
  const check = process.argv.includes('--check');
  const files = outputs();
  const folder = path.join(ROOT, CONSOLES, FOLDER);
  const present = (() => {
    try {
      return readdirSync(folder).map((f) => `${CONSOLES}/${FOLDER}/${f}`);
    } catch {
      return [];
    }
  })();
  const stale: string[] = [];
  for (const [file, content] of files) {
    const full = path.join(ROOT, file);
    let current: string | null = null;
    try {
      current = readFileSync(full, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (current === content) continue;
    if (check) stale.push(file);
    else {
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, content);
      console.log(`wrote ${file}`);
    }
  }
  for (const file of present.filter((f) => !files.has(f))) {
    if (check) stale.push(`${file} (no dashboard of that name)`);
    else {
      rmSync(path.join(ROOT, file));
      console.log(`removed ${file}`);
    }
  }
  if (stale.length) {
    console.error(`out of date (run node tools/observability/consoles.ts): ${stale.join(', ')}`);
    process.exit(1);
  }
  if (check) console.log(`console pages up to date (${files.size} files)`);
}

if (import.meta.filename === path.resolve(process.argv[1] ?? '')) main();
