// Prints the totals of every jest run of `make test` (results/test/*.json) and of the platform's
// node:test run, as the last line: "tests: N passed, N failed[, N skipped]".
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const [dir, seconds] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
  const report = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  console.log(
    `  ${file.replace('.json', '').padEnd(10)} ${report.numPassedTests} passed, ${report.numFailedTests} failed` +
      ` (${report.numTotalTestSuites} suites)`,
  );
}
const nodeLog = path.join(dir, 'tools_unit.log');
if (existsSync(nodeLog)) {
  const text = readFileSync(nodeLog, 'utf8');
  const count = (name) => Number(text.match(new RegExp(`^ℹ ${name} (\\d+)`, 'm'))?.[1] ?? 0);
  passed += count('pass');
  failed += count('fail');
  skipped += count('skipped');
  console.log(`  tools      ${count('pass')} passed, ${count('fail')} failed (node:test)`);
}
console.log(`make test took ${seconds} s`);
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
