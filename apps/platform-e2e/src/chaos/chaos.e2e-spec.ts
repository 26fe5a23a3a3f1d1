/**
 * Chaos experiments on the test-profile platform: load through the gateway, a fault, recovery, then
 * an audit of the whole system (see README "Chaos experiments"). CHAOS_MODE=short (default, part of
 * `make test`) runs the core scenarios briefly; `make chaos` (CHAOS_MODE=full) runs all of them.
 * CHAOS_SCENARIOS=<id,…> picks scenarios. Reports: results/chaos/<scenario>.{json,md}.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  chaosConfig,
  selectedScenarioIds,
  RESULTS_DIR,
  type ScenarioReport,
} from '@ordermesh/chaos';
import { runScenario } from './runner';
import { SCENARIOS } from './scenarios';

const config = chaosConfig();
const ids = selectedScenarioIds();
const selected = SCENARIOS.filter((s) =>
  ids ? ids.includes(s.id) : config.mode === 'full' || s.short,
);

describe(`chaos experiments (${config.mode}: ${config.orderRate} orders/s)`, () => {
  const reports: ScenarioReport[] = [];

  afterAll(() => {
    if (reports.length === 0) return;
    const lines = [
      `# Chaos experiments (${config.mode})`,
      '',
      '| scenario | result | failed requests | last failure after recovery | orders final after recovery |',
      '|---|---|---|---|---|',
      ...reports.map((r) => {
        const failed = r.requests.perSecond.reduce((sum, b) => sum + b.failed, 0);
        const sent = r.requests.perSecond.reduce((sum, b) => sum + b.sent, 0);
        const s = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`);
        return `| [${r.scenario}](${r.scenario}.md) | ${r.passed ? 'passed' : '**failed**'} | ${failed}/${sent} | ${s(r.lastFailureAfterRecoveryMs)} | ${s(r.settledAfterRecoveryMs)} |`;
      }),
      '',
    ];
    writeFileSync(path.join(RESULTS_DIR, `summary-${config.mode}.md`), lines.join('\n'));
  });

  it.each(selected.map((s) => [s.id, s] as const))(
    '%s',
    async (_id, scenario) => {
      const { report, files } = await runScenario(scenario, config);
      reports.push(report);
      process.stdout.write(
        `[chaos] ${scenario.id}: ${report.passed ? 'passed' : 'FAILED'} (${files.md})\n`,
      );
      const failed = report.invariants
        .filter((i) => !i.passed)
        .map((i) => `${i.id}: ${i.summary} — ${i.violations.slice(0, 5).join('; ')}`);
      expect({ scenario: scenario.id, failed }).toEqual({ scenario: scenario.id, failed: [] });
    },
    config.mode === 'full' ? 1_200_000 : 600_000,
  );
});
