// Renders every scenario once (in parallel) and validates all objects in one process, so the
// spec files only read the results from .ordermesh/tmp/chart-tests/.
import { execFileSync } from 'node:child_process';
import { globSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  CHART,
  NAMESPACE,
  RENDER_DIR,
  ROOT,
  ensureTools,
  helmAsync,
  scenarios,
  templateArgs,
} from './chart';

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  ensureTools();
  rmSync(RENDER_DIR, { recursive: true, force: true });
  mkdirSync(RENDER_DIR, { recursive: true });
  const all = scenarios();
  const files: string[] = [];
  // helm lint --strict (missing keys are errors) for the defaults and for every ci/*-values.yaml
  // merged (each toggle flipped at once); each scenario is also rendered on its own below.
  const lintRuns = [
    { name: 'defaults', args: [] as string[] },
    { name: 'ci-merged', args: all.flatMap((s) => s.args) },
  ];
  const lint = async (s: { name: string; args: string[] }) => {
    let out: string;
    try {
      out = await helmAsync(['lint', '--strict', CHART, '--namespace', NAMESPACE, ...s.args]);
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      out = `${e.stdout ?? ''}${e.stderr ?? String(err)}`;
    }
    writeFileSync(path.join(RENDER_DIR, `${s.name}.lint`), out);
  };
  await Promise.all([
    ...lintRuns.map(lint),
    ...all.map(async (s) => {
      const file = path.join(RENDER_DIR, `${s.name}.yaml`);
      try {
        writeFileSync(file, await helmAsync(templateArgs(CHART, s.args)));
        files.push(file);
      } catch (err) {
        // the render spec reports it; keep an empty file so the others still run
        writeFileSync(
          path.join(RENDER_DIR, `${s.name}.error`),
          String((err as { stderr?: string }).stderr ?? err),
        );
        writeFileSync(file, '');
      }
    }),
  ]);
  // plus the manifests kept outside the chart (kind/Istio install, namespace, fault injection)
  const extra = globSync('{k8s/*.yaml,k8s/istio/*.yaml,istio/**/*.yaml}', { cwd: ROOT })
    .filter((f) => !f.endsWith('kind-config.yaml'))
    .map((f) => path.join(ROOT, f));
  const report = execFileSync(
    process.execPath,
    [path.join(ROOT, 'tools/chart/validate-manifests.mjs'), ...files.sort(), ...extra.sort()],
    {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  writeFileSync(path.join(RENDER_DIR, 'validation.json'), report);
  if (process.env['ORDERMESH_CHART_TIMINGS'])
    process.stdout.write(`\nchart global-setup: ${Date.now() - started} ms\n`);
}
