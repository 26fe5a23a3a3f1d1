#!/usr/bin/env node
// Stores the rendered default release of the CURRENT chart as the "previous release" that the
// upgrade-safety test (charts/ordermesh/tests/upgrade.spec.ts) compares future charts against:
//   charts/ordermesh/tests/previous/ordermesh-<chart version>.yaml
// Run it right after releasing a chart version (Secret data and dashboard JSON are redacted).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { installTools } from './install-tools.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const chartDir = path.join(root, 'charts/ordermesh');
const { version } = parse(readFileSync(path.join(chartDir, 'Chart.yaml'), 'utf8'));
const { helm } = installTools({ quiet: true });
const out = execFileSync(helm, ['template', 'ordermesh', chartDir, '--namespace', 'ordermesh'], {
  encoding: 'utf8',
  maxBuffer: 64 << 20,
});
const docs = parseAllDocuments(out)
  .map((d) => d.toJS())
  .filter(Boolean)
  .map((o) => {
    if (o.kind === 'Secret' && o.data)
      o.data = Object.fromEntries(Object.keys(o.data).map((k) => [k, 'UkVEQUNURUQ=']));
    if (o.kind === 'ConfigMap' && o.metadata.name === 'grafana-dashboards' && o.data)
      o.data = Object.fromEntries(Object.keys(o.data).map((k) => [k, '{}']));
    return o;
  });
const target = path.join(chartDir, 'tests/previous', `ordermesh-${version}.yaml`);
mkdirSync(path.dirname(target), { recursive: true });
const prettier = await import('prettier');
const text = await prettier.format(
  `# Rendered default release of chart ordermesh ${version} (helm template ordermesh charts/ordermesh -n ordermesh).\n` +
    `# Written by tools/chart/snapshot-previous.mjs; read by tests/upgrade.spec.ts. Secrets redacted.\n` +
    docs.map((d) => `---\n${stringify(d, { lineWidth: 0 })}`).join(''),
  { parser: 'yaml', ...(await prettier.resolveConfig(target)) },
);
writeFileSync(target, text);
console.log(`wrote ${path.relative(root, target)} (${docs.length} objects)`);
