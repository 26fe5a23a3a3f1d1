#!/usr/bin/env node
// Writes the fault-injection manifests istio/fault/payment-{delay,abort}.yaml: the chart's own
// VirtualService "payment" (helm template, default values, release and namespace `ordermesh` as in
// k8s/k8s.mk) with the fault on every route. `make fault-payment FAULT=<fault>` swaps one in with
// `kubectl replace`; `make fault-clear` puts back the release's copy (helm get manifest).
//
//   node tools/chart/generate-faults.mjs           # write
//   node tools/chart/generate-faults.mjs --check   # exit 1 when a file is out of date
//
// tools/chart/sync-assets.mjs runs it after syncing charts/ordermesh/files/ (and its --check runs
// the check, as do the chart tests), so a chart change that alters the route cannot leave the
// fault files behind.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import { installTools } from './install-tools.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const chartDir = path.join(root, 'charts/ordermesh');
const faultDir = 'istio/fault';
// the defaults of RELEASE and K8S_NAMESPACE in k8s/k8s.mk
const RELEASE = 'ordermesh';
const NAMESPACE = 'ordermesh';
const SERVICE = 'payment';

const list = (items) =>
  items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;

/** The retried route of the chart's VirtualService: methods, per-try timeout. */
function retried(vs) {
  const route = vs.spec.http.find((r) => r.retries?.attempts > 0);
  const methods = /\(([\w|]+)\)\$$/.exec(route?.match?.[0]?.uri?.regex ?? '')?.[1]?.split('|');
  return route && methods ? { methods, perTryTimeout: route.retries.perTryTimeout } : undefined;
}

const FAULTS = {
  delay: {
    fault: { delay: { percentage: { value: 50 }, fixedDelay: '3s' } },
    describe: (vs) => {
      const r = retried(vs);
      const timeout = vs.spec.http.at(-1).timeout;
      return (
        `Delay: half of the calls to ${SERVICE} wait 3s (` +
        (r ? `> the ${r.perTryTimeout} per-try timeout of the retried ${list(r.methods)}; ` : '') +
        `close to the ${timeout} route timeout): exercises deadlines, breakers and retries.`
      );
    },
  },
  abort: {
    fault: { abort: { percentage: { value: 30 }, grpcStatus: 'UNAVAILABLE' } },
    describe: () =>
      `Abort: 30% of the calls to ${SERVICE} fail with gRPC UNAVAILABLE at the caller's sidecar: ` +
      `exercises the order saga's compensation and the callers' breakers.`,
  },
};

const wrap = (text, width = 100) => {
  const lines = [];
  let line = '#';
  for (const word of text.split(/\s+/)) {
    if (line.length > 1 && line.length + 1 + word.length > width) {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  return [...lines, line].join('\n');
};

/** The chart's VirtualService of SERVICE as `helm template` renders it with the default values. */
export function chartVirtualService() {
  const { helm } = installTools({ quiet: true });
  let out;
  try {
    out = execFileSync(helm, ['template', RELEASE, chartDir, '--namespace', NAMESPACE], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    throw new Error(`helm template failed: ${err.stderr || err.message}`);
  }
  const vs = parseAllDocuments(out)
    .map((d) => d.toJS())
    .find((o) => o?.kind === 'VirtualService' && o.metadata?.name === SERVICE);
  if (!vs) throw new Error(`the chart renders no VirtualService/${SERVICE}`);
  return vs;
}

function faultManifest(vs, name, { fault, describe }) {
  const labels = vs.metadata.labels ?? {};
  const object = {
    apiVersion: vs.apiVersion,
    kind: vs.kind,
    metadata: {
      name: vs.metadata.name,
      namespace: NAMESPACE,
      labels: {
        'app.kubernetes.io/name': labels['app.kubernetes.io/name'],
        'app.kubernetes.io/instance': labels['app.kubernetes.io/instance'],
        'app.kubernetes.io/managed-by': labels['app.kubernetes.io/managed-by'],
        'ordermesh.io/fault': name,
      },
      // helm keeps owning the object, so fault-clear and the next upgrade take it back
      annotations: {
        'meta.helm.sh/release-name': RELEASE,
        'meta.helm.sh/release-namespace': NAMESPACE,
      },
    },
    spec: {
      ...vs.spec,
      http: vs.spec.http.map(({ name: routeName, match, ...rest }) => ({
        name: routeName,
        ...(match ? { match } : {}),
        fault: structuredClone(fault),
        ...rest,
      })),
    },
  };
  const header = [
    `# Fault injection on the ${SERVICE} service (make fault-payment FAULT=${name}; make fault-clear restores).`,
    wrap(describe(vs)),
    wrap(
      `This is the chart's VirtualService "${SERVICE}" (release ${RELEASE}, namespace ${NAMESPACE}, ` +
        `default values) with a fault on every route; \`kubectl replace\` swaps it in, fault-clear ` +
        `puts back the release's own copy (helm get manifest). Generated by ` +
        `tools/chart/generate-faults.mjs (also run by tools/chart/sync-assets.mjs): do not edit; ` +
        `its --check (in sync-assets --check and the chart tests) fails once the chart moves on.`,
    ),
  ].join('\n');
  return `${header}\n${stringify(object, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}

/** Every fault file: path relative to the repo → content. */
export async function expectedFaults() {
  const vs = chartVirtualService();
  const prettier = await import('prettier');
  const out = new Map();
  for (const [name, def] of Object.entries(FAULTS)) {
    const file = `${faultDir}/${SERVICE}-${name}.yaml`;
    const options = await prettier.resolveConfig(path.join(root, file));
    out.set(
      file,
      await prettier.format(faultManifest(vs, name, def), { ...options, parser: 'yaml' }),
    );
  }
  return out;
}

export async function diffFaults() {
  const want = await expectedFaults();
  const drift = [];
  for (const [f, content] of want) {
    const file = path.join(root, f);
    if (!existsSync(file)) drift.push(`missing  ${f}`);
    else if (readFileSync(file, 'utf8') !== content) drift.push(`stale    ${f}`);
  }
  return { want, drift };
}

/** Writes the fault files; returns what changed. */
export async function writeFaults() {
  const { want, drift } = await diffFaults();
  for (const [f, content] of want) {
    mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    writeFileSync(path.join(root, f), content);
  }
  return { want, drift };
}

async function main() {
  if (process.argv.includes('--check')) {
    const { want, drift } = await diffFaults();
    if (drift.length) {
      console.error(
        `fault files out of date — run: node tools/chart/generate-faults.mjs\n  ${drift.join('\n  ')}`,
      );
      process.exit(1);
    }
    console.log(`fault files up to date (${want.size} files)`);
    return;
  }
  const { want, drift } = await writeFaults();
  console.log(
    drift.length
      ? `updated:\n  ${drift.join('\n  ')}`
      : `fault files up to date (${want.size} files)`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`generate-faults: ${err.message}`);
    process.exit(1);
  });
}
