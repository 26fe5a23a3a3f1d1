#!/usr/bin/env node
// Prints one object (by kind and name) from a multi-document YAML stream on stdin, e.g. to
// restore the chart's own VirtualService after fault injection:
//   helm get manifest ordermesh -n ordermesh | node tools/chart/select-object.mjs VirtualService payment | kubectl replace -f -
import { readFileSync } from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';

const [kind, name] = process.argv.slice(2);
if (!kind || !name) {
  console.error('usage: select-object.mjs <Kind> <name> < manifests.yaml');
  process.exit(2);
}
const found = parseAllDocuments(readFileSync(0, 'utf8'))
  .map((d) => d.toJS())
  .find((o) => o?.kind === kind && o?.metadata?.name === name);
if (!found) {
  console.error(`${kind}/${name} not found`);
  process.exit(1);
}
process.stdout.write(stringify(found, { lineWidth: 0 }));
