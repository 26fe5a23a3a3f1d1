#!/usr/bin/env node
// Fails (exit 1) when the committed generated code or topics.json differs from a fresh
// regeneration, listing the stale files. Fix with `npm run proto:gen`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateAll, GENERATED_DIR, listFiles, ROOT, TOPICS_FILE } from './lib.mjs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ordermesh-proto-'));
try {
  await generateAll(tmp);
  const fresh = new Set(
    listFiles(path.join(tmp, GENERATED_DIR)).map((f) => `${GENERATED_DIR}/${f}`),
  );
  const committed = new Set(
    listFiles(path.join(ROOT, GENERATED_DIR)).map((f) => `${GENERATED_DIR}/${f}`),
  );
  fresh.add(TOPICS_FILE);
  committed.add(TOPICS_FILE);

  const stale = [];
  for (const file of [...new Set([...fresh, ...committed])].sort()) {
    const expected = path.join(tmp, file);
    const actual = path.join(ROOT, file);
    if (!fs.existsSync(actual)) stale.push(`${file} (missing)`);
    else if (!fs.existsSync(expected)) stale.push(`${file} (no longer generated)`);
    else if (!fs.readFileSync(expected).equals(fs.readFileSync(actual)))
      stale.push(`${file} (differs)`);
  }
  if (stale.length > 0) {
    console.error('Generated contracts are stale; run `npm run proto:gen` and commit the result:');
    for (const line of stale) console.error(`  ${line}`);
    process.exitCode = 1;
  } else {
    console.log('Generated contracts are up to date.');
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
