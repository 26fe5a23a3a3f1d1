import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

// The capacity benchmark (`make bench`, tools/bench/capacity.ts) in a smoke run against the
// platform under test: a few seconds per phase, one ramp step, every baseline briefly. It proves
// the benchmark runs end to end and writes a complete report; its numbers are never asserted.
const REPO_ROOT = path.resolve(__dirname, '../../../..');
const run = promisify(execFile);

describe('capacity benchmark (smoke)', () => {
  const results = mkdtempSync(path.join(tmpdir(), 'capacity-smoke-'));
  afterAll(() => rmSync(results, { recursive: true, force: true }));

  it('runs every path and baseline and writes capacity.json with every key measured or explained', async () => {
    await run(process.execPath, ['tools/bench/capacity.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, BENCH_SMOKE: '1', BENCH_RESULTS: results },
      maxBuffer: 32 * 1024 * 1024,
      timeout: 170_000,
    });
    const file = path.join(results, 'capacity.json');
    // The report's own check: each top-level key a number, or null with a reason.
    await run(process.execPath, ['tools/bench/check-report.ts', file], { cwd: REPO_ROOT });

    const report = JSON.parse(readFileSync(file, 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    // Everything is measured even in a smoke run.
    for (const [group, key] of [
      ['productView', 'rps'],
      ['productView', 'r1Rps'],
      ['order', 'perSecond'],
      ['order', 'r5PerSecond'],
      ['order', 'cpuMsPerOrder'],
      ['order', 'sagaP99Ms'],
      ['events', 'lagP99Ms'],
      ['events', 'replayPerSecond'],
      ['services', 'maxRssMiB'],
    ] as const) {
      expect({ [`${group}.${key}`]: typeof report[group]![key] }).toEqual({
        [`${group}.${key}`]: 'number',
      });
    }
    expect(report['baselines']!['errors']).toEqual({});
    expect(readFileSync(path.join(results, 'capacity.md'), 'utf8')).toContain(
      '## Platform vs baselines',
    );
  }, 180_000);
});
