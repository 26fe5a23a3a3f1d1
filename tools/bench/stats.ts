// Pure arithmetic of the benchmark: percentiles, Prometheus text, and ratios between variants.

/** The p-quantile (0..1) of `values` by nearest rank; 0 for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil(p * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface Latency {
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

export function latency(values: readonly number[]): Latency {
  return {
    count: values.length,
    p50: percentile(values, 0.5),
    p95: percentile(values, 0.95),
    p99: percentile(values, 0.99),
  };
}

/**
 * How many times the services updated a metric: the sum of every histogram's `_count` and every
 * counter's `_total` in a Prometheus text exposition, leaving out the runtime's own metrics
 * (process and Node.js, which tick on their own).
 */
export function metricUpdates(exposition: string, runtimePrefixes: readonly string[]): number {
  let total = 0;
  for (const line of exposition.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const name = line.slice(0, line.search(/[{ ]/));
    if (!name.endsWith('_count') && !name.endsWith('_total')) continue;
    if (runtimePrefixes.some((prefix) => name.startsWith(prefix))) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) total += value;
  }
  return total;
}

/** `a / b`, or null when b is 0 (no ratio to report). */
export function ratio(a: number, b: number): number | null {
  return b === 0 ? null : a / b;
}

/** A ratio as "1.23× (+23 %)"; "–" when there is none. */
export function formatRatio(value: number | null): string {
  if (value === null) return '–';
  const change = (value - 1) * 100;
  return `${value.toFixed(2)}× (${change >= 0 ? '+' : ''}${change.toFixed(0)} %)`;
}

/**
 * The phases of an ABBA design: each variant runs as often as the other and on average at the
 * same point in time, so a drift of the machine's speed over the run cancels out of the ratios.
 */
export function abba<T>(a: T, b: T, rounds: number): T[] {
  const phases: T[] = [];
  for (let i = 0; i < rounds; i++) phases.push(a, b, b, a);
  return phases;
}
