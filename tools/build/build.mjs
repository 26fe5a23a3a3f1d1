#!/usr/bin/env node
// Compiles apps/ and libs/ into dist/ with SWC, keeping the folder layout so that relative paths
// (and the @ordermesh/* aliases, rewritten to relative paths) work the same in src and dist.
// Usage: node tools/build/build.mjs [--clean]
import { transformFile } from '@swc/core';
import { cpSync, globSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = path.join(root, 'dist');
const started = performance.now();

if (process.argv.includes('--clean')) rmSync(outDir, { recursive: true, force: true });

const swcrc = JSON.parse(readFileSync(path.join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;
const { paths } = JSON.parse(readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'))
  .compilerOptions;

const sources = globSync('{apps,libs}/*/src/**/*.ts', { cwd: root }).filter(
  (file) => !/\.(spec|e2e-spec)\.ts$/.test(file) && !file.startsWith('apps/platform-e2e/'),
);

const options = {
  ...swcrc,
  swcrc: false,
  sourceMaps: true,
  jsc: { ...swcrc.jsc, baseUrl: root, paths },
};

await Promise.all(
  sources.map(async (file) => {
    const absolute = path.join(root, file);
    const target = path.join(outDir, file.replace(/\.ts$/, '.js'));
    const { code, map } = await transformFile(absolute, {
      ...options,
      filename: absolute,
      sourceFileName: path.relative(path.dirname(target), absolute),
    });
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, `${code}\n//# sourceMappingURL=${path.basename(target)}.map\n`);
    if (map) writeFileSync(`${target}.map`, map);
  }),
);

// Runtime assets: protos and JSON files next to the code that loads them.
for (const asset of globSync('libs/*/{proto/**/*.proto,src/**/*.json}', { cwd: root })) {
  const target = path.join(outDir, asset);
  mkdirSync(path.dirname(target), { recursive: true });
  cpSync(path.join(root, asset), target);
}

const ms = Math.round(performance.now() - started);
console.log(`build: ${sources.length} files compiled into dist/ in ${ms} ms`);
