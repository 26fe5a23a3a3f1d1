// Lints and renders every scenario once with each Helm (3 and 4, in parallel) and validates the
// Helm 4 objects in one process, so the spec files only read the results from
// .ordermesh/tmp/chart-tests/<helm4|helm3>/ (lint.spec checks that both Helms render the same).
import { execFileSync } from 'node:child_process';
import { globSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  CHART,
  HELM4,
  type Helm,
  NAMESPACE,
  RENDER_DIR,
  ROOT,
  ensureTools,
  helmAsync,
  renderFile,
  scenarios,
  templateArgs,
} from './chart';

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const helms = ensureTools();
  rmSync(RENDER_DIR, { recursive: true, force: true });
  for (const h of helms) mkdirSync(path.join(RENDER_DIR, h.id), { recursive: true });
  const all = scenarios();
  const files: string[] = []; // Helm 4's renders, for the schema validation
  // helm lint --strict (missing keys are errors) for the defaults and for every ci/*-values.yaml
  // merged (each toggle flipped at once); each scenario is also rendered on its own below.
  const lintRuns = [
    { name: 'defaults', args: [] as string[] },
    { name: 'ci-merged', args: all.flatMap((s) => s.args) },
  ];
  const lint = async (h: Helm, s: { name: string; args: string[] }) => {
    let out: string;
    try {
      out = await helmAsync(['lint', '--strict', CHART, '--namespace', NAMESPACE, ...s.args], h);
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      out = `${e.stdout ?? ''}${e.stderr ?? String(err)}`;
    }
    writeFileSync(renderFile(h, s.name, 'lint'), out);
  };
  const render = async (h: Helm, s: { name: string; args: string[] }) => {
    const file = renderFile(h, s.name, 'yaml');
    try {
      writeFileSync(file, await helmAsync(templateArgs(CHART, s.args), h));
      if (h === HELM4) files.push(file);
    } catch (err) {
      // the render spec reports it; keep an empty file so the others still run
      writeFileSync(
        renderFile(h, s.name, 'error'),
        String((err as { stderr?: string }).stderr ?? err),
      );
      writeFileSync(file, '');
    }
  };
  await Promise.all(
    helms.flatMap((h) => [...lintRuns.map((s) => lint(h, s)), ...all.map((s) => render(h, s))]),
  );
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
