// Pure parts of the capacity benchmark: the open-model schedule, the ramp, the knee, medians.
import { percentile } from './stats.ts';

/**
 * When each request of a step starts, in ms from the step's start: evenly spaced at `rate` per
 * second for `durationMs`. Open model: the schedule never waits for an answer, so a slow system
 * cannot slow its own load down (no coordinated omission).
 */
export function scheduleOffsets(rate: number, durationMs: number): number[] {
  if (!(rate > 0) || !(durationMs > 0)) return [];
  const count = Math.floor((rate * durationMs) / 1000);
  const interval = 1000 / rate;
  return Array.from({ length: count }, (_, i) => i * interval);
}

/** The offered rates of a ramp: `start`, then each step `factor` times the last, `steps` in all. */
export function rampRates(start: number, factor: number, steps: number): number[] {
  const rates: number[] = [];
  let rate = start;
  for (let i = 0; i < steps; i++) {
    rates.push(Math.round(rate * 100) / 100);
    rate *= factor;
  }
  return rates;
}

export interface StepOutcome {
  /** Offered rate (requests per second). */
  rate: number;
  /** Requests scheduled in the step. */
  scheduled: number;
  /** Requests that failed (status, timeout, dropped, a saga that did not confirm). */
  errors: number;
  /** Latency from the scheduled start, of every request (failed ones included). */
  p99Ms: number;
}

export interface KneeCriteria {
  p99BoundMs: number;
  /** Highest tolerated share of failed requests (0.001 = 0.1 %): a step fails at or above it. */
  maxErrorRate: number;
}

export function errorRate(step: Pick<StepOutcome, 'scheduled' | 'errors'>): number {
  return step.scheduled === 0 ? 1 : step.errors / step.scheduled;
}

/** Whether a step is under the latency bound and the error budget. */
export function passes(step: StepOutcome, criteria: KneeCriteria): boolean {
  return (
    step.scheduled > 0 &&
    step.p99Ms <= criteria.p99BoundMs &&
    errorRate(step) < criteria.maxErrorRate
  );
}

/**
 * The knee of a ramp: the highest offered rate of the passing steps before the first failing one
 * (a ramp stops at its first failure; a later pass would be luck). Null when the first step fails.
 */
export function kneeOf(steps: readonly StepOutcome[], criteria: KneeCriteria): StepOutcome | null {
  let knee: StepOutcome | null = null;
  for (const step of steps) {
    if (!passes(step, criteria)) break;
    if (knee === null || step.rate > knee.rate) knee = step;
  }
  return knee;
}

/** The median (mean of the middle two for an even count); null for no values. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function summarize(values: readonly number[]): LatencySummary {
  return {
    count: values.length,
    p50: percentile(values, 0.5),
    p90: percentile(values, 0.9),
    p99: percentile(values, 0.99),
    max: values.length ? Math.max(...values) : 0,
  };
}

/**
 * Latency percentiles per time window (for the "over time" view): samples are
 * [scheduled offset ms, latency ms]; windows of `windowMs` from 0.
 */
export function percentilesOverTime(
  samples: readonly (readonly [number, number])[],
  windowMs: number,
): { fromMs: number; p50: number; p99: number; count: number }[] {
  const windows = new Map<number, number[]>();
  for (const [at, ms] of samples) {
    const key = Math.floor(at / windowMs);
    const list = windows.get(key) ?? [];
    list.push(ms);
    windows.set(key, list);
  }
  return [...windows.entries()]
    .sort(([a], [b]) => a - b)
    .map(([key, list]) => ({
      fromMs: key * windowMs,
      p50: percentile(list, 0.5),
      p99: percentile(list, 0.99),
      count: list.length,
    }));
}

/** A value, or null with the reason it is missing: the report's convention for every key. */
export type Measured = number | null;

/**
 * Checks the top level of capacity.json: each key is a finite number, or null with a string
 * `<key>Reason` beside it. Returns the problems (none: valid).
 */
export function checkTopLevel(
  report: Record<string, unknown>,
  keys: Readonly<Record<string, readonly string[]>>,
): string[] {
  const problems: string[] = [];
  for (const [group, names] of Object.entries(keys)) {
    const object = report[group];
    if (typeof object !== 'object' || object === null) {
      problems.push(`${group}: missing`);
      continue;
    }
    const record = object as Record<string, unknown>;
    for (const name of names) {
      const value = record[name];
      if (typeof value === 'number' && Number.isFinite(value)) continue;
      if (value === null && typeof record[`${name}Reason`] === 'string') continue;
      problems.push(`${group}.${name}: ${JSON.stringify(value)} (a number, or null and a reason)`);
    }
  }
  return problems;
}

/** The top-level keys capacity.json holds (issue 11). */
export const TOP_LEVEL_KEYS = {
  productView: ['rps', 'r1Rps'],
  order: ['perSecond', 'r5PerSecond', 'cpuMsPerOrder', 'sagaP99Ms'],
  events: ['lagP99Ms', 'replayPerSecond'],
  services: ['maxRssMiB'],
} as const;
