import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runOpenLoad } from '../load.ts';
import { treeOf, type ProcRow } from '../procfs.ts';
import {
  checkTopLevel,
  kneeOf,
  median,
  passes,
  percentilesOverTime,
  rampRates,
  scheduleOffsets,
  TOP_LEVEL_KEYS,
  type StepOutcome,
} from '../open-model.ts';

const criteria = { p99BoundMs: 100, maxErrorRate: 0.001 };
const step = (rate: number, p99Ms: number, errors = 0, scheduled = 10_000): StepOutcome => ({
  rate,
  scheduled,
  errors,
  p99Ms,
});

describe('open-model schedule', () => {
  it('spaces starts evenly at the rate, for the duration only', () => {
    assert.deepEqual(scheduleOffsets(4, 1000), [0, 250, 500, 750]);
    assert.equal(scheduleOffsets(100, 2500).length, 250);
    assert.equal(scheduleOffsets(100, 2500).at(-1), 2490);
    assert.deepEqual(scheduleOffsets(0, 1000), []);
  });

  it('ramps geometrically', () => {
    assert.deepEqual(rampRates(4, 1.5, 4), [4, 6, 9, 13.5]);
    assert.deepEqual(rampRates(250, 2, 3), [250, 500, 1000]);
  });

  it('starts requests on schedule even when earlier ones have not answered (no coordinated omission)', async () => {
    const started: number[] = [];
    const t0 = performance.now();
    // Every request takes 300 ms; a closed loop of one would start 2 in 600 ms, not 20.
    const result = await runOpenLoad({
      rate: 50,
      durationMs: 400,
      maxInFlight: 1000,
      fire: async () => {
        started.push(performance.now() - t0);
        await new Promise((resolve) => setTimeout(resolve, 300));
        return true;
      },
    });
    assert.equal(result.samples.length, 20);
    assert.ok(started.at(-1)! < 400 + 50, `last start at ${started.at(-1)} ms`);
    // Latency from the scheduled start: at least the 300 ms the system took.
    assert.ok(result.samples.every((s) => s.latencyMs >= 299 && s.ok));
    assert.deepEqual(
      result.samples.map((s) => s.index),
      Array.from({ length: 20 }, (_, i) => i),
    );
  });

  it('drops (as errors) starts beyond the in-flight cap', async () => {
    const result = await runOpenLoad({
      rate: 100,
      durationMs: 100,
      maxInFlight: 3,
      fire: () => new Promise((resolve) => setTimeout(() => resolve(true), 500)),
    });
    assert.equal(result.samples.length, 10);
    assert.equal(result.dropped, 7);
    assert.equal(result.samples.filter((s) => !s.ok).length, 7);
  });
});

describe('knee', () => {
  it('is the highest passing step before the first failure', () => {
    const ramp = [step(10, 20), step(20, 40), step(40, 90), step(80, 400), step(160, 50)];
    assert.equal(kneeOf(ramp, criteria)?.rate, 40);
  });

  it('fails a step at 0.1 % errors or a p99 over the bound', () => {
    assert.equal(passes(step(10, 100), criteria), true);
    assert.equal(passes(step(10, 101), criteria), false);
    assert.equal(passes(step(10, 10, 9), criteria), true);
    assert.equal(passes(step(10, 10, 10), criteria), false);
    assert.equal(passes(step(10, 10, 0, 0), criteria), false);
    assert.equal(kneeOf([step(10, 10, 10), step(20, 10)], criteria), null);
    assert.equal(kneeOf([], criteria), null);
  });
});

describe('summaries', () => {
  it('takes medians of odd and even counts', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([]), null);
  });

  it('groups latency percentiles by time window', () => {
    const windows = percentilesOverTime(
      [
        [0, 10],
        [500, 20],
        [1200, 30],
      ],
      1000,
    );
    assert.deepEqual(windows, [
      { fromMs: 0, p50: 10, p99: 20, count: 2 },
      { fromMs: 1000, p50: 30, p99: 30, count: 1 },
    ]);
  });

  it('accepts a top level of numbers, or nulls with reasons, and names what is missing', () => {
    const complete = {
      productView: { rps: 1, r1Rps: 2 },
      order: {
        perSecond: 1,
        r5PerSecond: 1,
        cpuMsPerOrder: 1,
        sagaP99Ms: null,
        sagaP99MsReason: 'x',
      },
      events: { lagP99Ms: 3, replayPerSecond: 4 },
      services: { maxRssMiB: 100 },
    };
    assert.deepEqual(checkTopLevel(complete, TOP_LEVEL_KEYS), []);
    const broken = { ...complete, services: { maxRssMiB: null }, events: { lagP99Ms: Number.NaN } };
    assert.deepEqual(checkTopLevel(broken, TOP_LEVEL_KEYS), [
      'events.lagP99Ms: null (a number, or null and a reason)',
      'events.replayPerSecond: undefined (a number, or null and a reason)',
      'services.maxRssMiB: null (a number, or null and a reason)',
    ]);
  });
});

describe('process trees', () => {
  it("counts a component's group and every descendant of its leader, not other processes", () => {
    const rows: ProcRow[] = [
      { pid: 100, ppid: 1, pgid: 100, ticks: 5 }, // postmaster
      { pid: 101, ppid: 100, pgid: 101, ticks: 7 }, // a backend in a session of its own
      { pid: 102, ppid: 101, pgid: 102, ticks: 1 }, // its child
      { pid: 103, ppid: 1, pgid: 100, ticks: 2 }, // in the group, reparented
      { pid: 200, ppid: 1, pgid: 200, ticks: 50 }, // someone else
    ];
    assert.deepEqual(
      treeOf(rows, 100)
        .map((row) => row.pid)
        .sort(),
      [100, 101, 102, 103],
    );
    assert.deepEqual(treeOf(rows, 999), []);
  });
});
