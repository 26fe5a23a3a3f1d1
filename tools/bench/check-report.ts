// Checks a capacity.json: every top-level key of issue 11 is a number, or null with a reason.
//   node tools/bench/check-report.ts results/bench/capacity.json   (exit 1 and the problems if not)
import { readFileSync } from 'node:fs';
import { checkTopLevel, TOP_LEVEL_KEYS } from './open-model.ts';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: check-report.ts <capacity.json>\n');
  process.exit(2);
}
const problems = checkTopLevel(
  JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>,
  TOP_LEVEL_KEYS,
);
for (const problem of problems) process.stderr.write(`${file}: ${problem}\n`);
process.exit(problems.length ? 1 : 0);
