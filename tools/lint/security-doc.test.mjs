// docs/security.md names, for every control, the test that fails when it breaks. This keeps those
// names true: every file the page names exists (a renamed or deleted spec fails here), every
// section of issue 13's categories and the fuzz suite names at least one test file, and no section
// is left "to be written".
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const page = readFileSync(path.join(root, 'docs/security.md'), 'utf8');
const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\n')
  .filter(Boolean);

/** `code` spans that name a file: a path or a bare name with an extension, no glob or placeholder. */
const FILE = /^[\w.-]+(\/[\w.-]+)*\.(ts|mjs|js|yaml|yml|json|md|sh)$/;
const TEST_FILE = /\.(spec|e2e-spec|test)\.(ts|mjs)$/;
const namedFiles = (text) =>
  [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]).filter((name) => FILE.test(name));

/** A name resolves when it is a path from the root or the tail of exactly such a path. */
const resolves = (name) => tracked.some((file) => file === name || file.endsWith(`/${name}`));

/** The `## ` sections of the page, by heading. */
const sections = page
  .split(/^## /m)
  .slice(1)
  .map((chunk) => ({ heading: chunk.slice(0, chunk.indexOf('\n')), body: chunk }));

test('every file docs/security.md names exists', () => {
  const names = [...new Set(namedFiles(page))];
  assert.ok(names.length > 40, `only ${names.length} file names found: is the pattern right?`);
  assert.deepEqual(
    names.filter((name) => !resolves(name)),
    [],
  );
});

test('each of issue 13 categories 1-9 and the fuzz suite has a section that names its tests', () => {
  const covering = (category) =>
    sections.filter((s) =>
      new RegExp(`\\(.*categor(y|ies) [^)]*\\b${category}\\b[^)]*\\)`).test(s.heading),
    );
  const wanted = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => ({
    what: `category ${n}`,
    found: covering(n),
  }));
  wanted.push({ what: 'fuzz suite', found: sections.filter((s) => /^Fuzzing/.test(s.heading)) });
  for (const { what, found } of wanted) {
    assert.ok(found.length > 0, `no section of docs/security.md is headed with ${what}`);
    const tests = found.flatMap((s) => namedFiles(s.body)).filter((n) => TEST_FILE.test(n));
    assert.ok(tests.length > 0, `the section on ${what} names no test file`);
  }
});

test('no section is left to be written', () => {
  assert.doesNotMatch(page, /to be written/i);
});
