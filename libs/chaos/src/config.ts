/**
 * How hard and how long the chaos suite pushes, by CHAOS_MODE:
 * - short (default; part of `make test`): 5 orders/s, faults of 10-20 s, the core scenarios;
 * - full (`make chaos`): 8 orders/s, the durations of the scenario catalogue, every scenario.
 * CHAOS_SCENARIOS=payment-kill,kafka-outage runs only those (either mode); CHAOS_ORDER_RATE
 * overrides the order arrival rate.
 */
export type ChaosMode = 'short' | 'full';

export interface ChaosConfig {
  mode: ChaosMode;
  /** Order arrivals per second (open loop). */
  orderRate: number;
  /** Product page views and "healthy path" requests per second, each. */
  viewRate: number;
  healthyRate: number;
  /** Customers (each behind its own forwarded address, to stay under the per-client limits). */
  customers: number;
  /** Products per scenario and their initial stock; one more, scarce, product runs out. */
  products: number;
  stockPerProduct: number;
  scarceStock: number;
  /** Load before the fault, and after recovery. */
  warmupMs: number;
  afterRecoveryMs: number;
  /** Hard cap on requests in flight; beyond it an arrival is recorded as shed by the driver. */
  maxInFlight: number;
  /** Every accepted order must be final within this long after recovery. */
  settleMs: number;
  /** The error rate must be back to zero this long after recovery. */
  errorFreeAfterMs: number;
}

export function chaosMode(): ChaosMode {
  return process.env['CHAOS_MODE'] === 'full' ? 'full' : 'short';
}

export function chaosConfig(mode: ChaosMode = chaosMode()): ChaosConfig {
  const config = baseConfig(mode);
  // CHAOS_ORDER_RATE: another arrival rate (e.g. the platform's measured capacity on a slow box).
  const rate = Number(process.env['CHAOS_ORDER_RATE']);
  return Number.isFinite(rate) && rate > 0 ? { ...config, orderRate: rate } : config;
}

function baseConfig(mode: ChaosMode): ChaosConfig {
  const common = { settleMs: 60_000, errorFreeAfterMs: 10_000, scarceStock: 25 };
  return mode === 'full'
    ? {
        ...common,
        mode,
        // About 70 % of what the whole platform carries on a two-core machine with every request
        // traced (`make bench`: ~11 orders/s plus two reads each), so a fault's backlog can drain.
        // Bigger machines: CHAOS_ORDER_RATE=30.
        orderRate: 8,
        viewRate: 3,
        healthyRate: 3,
        customers: 40,
        products: 6,
        stockPerProduct: 50_000,
        warmupMs: 10_000,
        afterRecoveryMs: 20_000,
        maxInFlight: 400,
      }
    : {
        ...common,
        mode,
        // What a two-core CI machine carries with every service, Kafka, PostgreSQL, FerretDB and
        // Jaeger on it, and room left for a replay of the whole history alongside.
        orderRate: 5,
        viewRate: 2,
        healthyRate: 2,
        customers: 16,
        products: 4,
        stockPerProduct: 20_000,
        warmupMs: 5_000,
        afterRecoveryMs: 12_000,
        maxInFlight: 200,
      };
}

/** CHAOS_SCENARIOS (comma list of scenario ids), if set. */
export function selectedScenarioIds(): string[] | undefined {
  const raw = process.env['CHAOS_SCENARIOS']?.trim();
  return raw ? raw.split(',').map((id) => id.trim()) : undefined;
}
