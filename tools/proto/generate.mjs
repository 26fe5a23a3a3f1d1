#!/usr/bin/env node
// `npm run proto:gen`: regenerates libs/contracts/src/generated (ts-proto through `buf generate`,
// formatted with prettier, plus an index.ts barrel) and libs/contracts/src/events/topics.json.
// `--out-root <dir>` writes the same tree below another directory (used by check-generated.mjs).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateAll, ROOT } from './lib.mjs';

const { values } = parseArgs({ options: { 'out-root': { type: 'string' } } });
const outRoot = path.resolve(values['out-root'] ?? ROOT);
await generateAll(outRoot);
console.log(
  `proto:gen: wrote ${path.relative(process.cwd(), outRoot) || '.'}/libs/contracts/src/{generated,events/topics.json}`,
);
