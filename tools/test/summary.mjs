// Prints the totals of every jest run of `make test` (results/test/*.json) and of the platform's
// node:test run, as the last line: "tests: N passed, N failed[, N skipped]". Failed jest tests are
// named above the totals with the start of their failure message, so the tail of a CI log says what
// broke (the step logs end in platform tear-down).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const [dir, seconds, target = 'test'] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
  const report = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  // Other results beside the jest reports (the cluster suite's disruption.json): not counted.
  if (typeof report.numTotalTests !== 'number') continue;
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  console.log(
    `  ${file.replace('.json', '').padEnd(10)} ${report.numPassedTests} passed, ${report.numFailedTests} failed` +
      ` (${report.numTotalTestSuites} suites)`,
  );
  for (const suite of report.testResults) {
    const broken = suite.assertionResults.filter((test) => test.status === 'failed');
    if (suite.status === 'failed' && broken.length === 0)
      failures.push({ name: suite.name, message: suite.message });
    for (const test of broken) {
      failures.push({
        name: `${path.relative(process.cwd(), suite.name)} › ${test.fullName}`,
        message: test.failureMessages.join('\n'),
      });
    }
  }
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
for (const { name, message } of failures) {
  console.log(`\n  ✘ ${name}`);
  const lines = stripAnsi(message)
    .split('\n')
    .filter((line) => line.trim() !== '');
  for (const line of lines.slice(0, 25)) console.log(`      ${line}`);
}
if (failures.length > 0) console.log();
console.log(`make ${target} took ${seconds} s`);
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);

function stripAnsi(text) {
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
