#!/usr/bin/env node
// Compiles apps/ and libs/ into dist/ with SWC, keeping the folder layout so that relative paths
// (and the @ordermesh/* aliases, rewritten to relative paths) work the same in src and dist.
//
// Usage: node tools/build/build.mjs [--clean] [--service <name>... --package]
//   --package  also writes dist/package/<name>/: the service's compiled code and only the libs it
//              reaches, plus a package.json with exactly the production dependencies it imports
//              (what the container image installs with `npm ci --omit=dev`). --service may be
//              repeated: one compile, several packages (tools/cluster/images/build.ts).
import { transformFile } from '@swc/core';
import { builtinModules } from 'node:module';
import {
  cpSync,
  existsSync,
  globSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = path.join(root, 'dist');
const started = performance.now();

const { values: args } = parseArgs({
  options: {
    clean: { type: 'boolean' },
    service: { type: 'string', multiple: true },
    package: { type: 'boolean' },
  },
});
if (args.clean) rmSync(outDir, { recursive: true, force: true });

const swcrc = JSON.parse(readFileSync(path.join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;
const { paths } = JSON.parse(
  readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'),
).compilerOptions;

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

// Runtime assets: protos and JSON files next to the code that loads them; page templates and
// browser assets of the apps that serve pages (the storefront).
const ASSETS = ['libs/*/{proto/**/*.proto,src/**/*.json}', 'apps/*/src/{views,public}/**/*.*'];
for (const asset of ASSETS.flatMap((pattern) => globSync(pattern, { cwd: root })).filter(
  (file) => !file.endsWith('.ts'),
)) {
  const target = path.join(outDir, asset);
  mkdirSync(path.dirname(target), { recursive: true });
  cpSync(path.join(root, asset), target);
}

const ms = Math.round(performance.now() - started);
console.log(`build: ${sources.length} files compiled into dist/ in ${ms} ms`);

if (args.package) {
  if (!args.service?.length) throw new Error('--package needs --service <name>');
  for (const service of args.service) packageService(service);
}

/** Follows the relative requires from the service's main.js; returns its files and packages. */
function reachable(entry) {
  const files = new Set();
  const packages = new Set();
  const pending = [entry];
  while (pending.length) {
    const file = pending.pop();
    if (files.has(file)) continue;
    files.add(file);
    if (!file.endsWith('.js')) continue;
    // SWC writes the imports as require("…"); a lazy require('…') in the source keeps its quotes.
    for (const [, , specifier] of readFileSync(file, 'utf8').matchAll(
      /require\((["'])([^"']+)\1\)/g,
    )) {
      if (specifier.startsWith('.')) {
        const base = path.resolve(path.dirname(file), specifier);
        const resolved = [base, `${base}.js`, path.join(base, 'index.js')].find(
          (candidate) =>
            existsSync(candidate) && !candidate.endsWith('/') && readableFile(candidate),
        );
        if (!resolved) throw new Error(`${path.relative(root, file)}: cannot resolve ${specifier}`);
        pending.push(resolved);
      } else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
        const parts = specifier.split('/');
        packages.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
      }
    }
  }
  return { files, packages };
}

function readableFile(candidate) {
  try {
    readFileSync(candidate);
    return true;
  } catch {
    return false;
  }
}

function packageService(service) {
  const entry = path.join(outDir, 'apps', service, 'src', 'main.js');
  if (!existsSync(entry)) throw new Error(`no such service: ${service}`);
  const target = path.join(outDir, 'package', service);
  rmSync(target, { recursive: true, force: true });
  const { files, packages } = reachable(entry);
  for (const file of files) {
    const relative = path.relative(outDir, file);
    mkdirSync(path.dirname(path.join(target, relative)), { recursive: true });
    cpSync(file, path.join(target, relative));
    if (existsSync(`${file}.map`)) cpSync(`${file}.map`, path.join(target, `${relative}.map`));
  }
  // The protos are read at run time (gRPC servers and clients load them).
  cpSync(path.join(outDir, 'libs/contracts/proto'), path.join(target, 'libs/contracts/proto'), {
    recursive: true,
  });
  // Templates and browser assets are read from disk at run time.
  for (const folder of ['views', 'public']) {
    const assets = path.join(outDir, 'apps', service, 'src', folder);
    if (existsSync(assets)) {
      cpSync(assets, path.join(target, 'apps', service, 'src', folder), { recursive: true });
    }
  }
  // Packages that frameworks load by name at run time, invisible to the require scan.
  packages.add('@nestjs/platform-express');
  packages.add('reflect-metadata');
  if (packages.has('typeorm')) packages.add('pg');
  // Resolved with require.resolve (a stylesheet served as it is).
  if (service === 'storefront') packages.add('@picocss/pico');
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const dependencies = {};
  const misplaced = [];
  for (const name of [...packages].sort()) {
    const version = manifest.dependencies?.[name];
    if (version) dependencies[name] = version;
    else misplaced.push(name);
  }
  if (misplaced.length) {
    throw new Error(
      `${service} imports ${misplaced.join(', ')}, which package.json does not list under dependencies`,
    );
  }
  writeFileSync(
    path.join(target, 'package.json'),
    `${JSON.stringify(
      {
        name: `@ordermesh/${service}`,
        version: manifest.version,
        private: true,
        license: manifest.license,
        engines: manifest.engines,
        main: `apps/${service}/src/main.js`,
        dependencies,
      },
      null,
      2,
    )}\n`,
  );
  console.log(
    `package: dist/package/${service} — ${files.size} files, ${Object.keys(dependencies).length} production dependencies`,
  );
}
