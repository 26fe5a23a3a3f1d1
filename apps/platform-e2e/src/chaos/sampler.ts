import { connection } from '../support/connection-env';
import { type BreakerSample, type StockSample, parseBreakerStates } from '@ordermesh/chaos';
import type { Platform } from './control';

/**
 * Samples, every second, every service's breaker states from its /metrics (recording changes
 * only) and, every two seconds, the scenario's stock levels (to show they never go negative).
 */
export class Sampler {
  readonly breakers: BreakerSample[] = [];
  readonly stock: StockSample[] = [];
  private readonly last = new Map<string, BreakerSample['state']>();
  /** Consecutive failed scrapes per service: one slow scrape under load is not an outage. */
  private readonly misses = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;
  private busy = false;

  constructor(
    private readonly platform: Platform,
    private readonly productIds: string[],
    private readonly now: () => number,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      void this.sample().finally(() => (this.busy = false));
    }, 1_000);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    while (this.busy) await new Promise((resolve) => setTimeout(resolve, 50));
    await this.sample();
  }

  /** Whether `service`'s breaker towards `target` was seen in `state`. */
  saw(service: string, target: string, state: BreakerSample['state']): boolean {
    return this.breakers.some(
      (s) => s.service === service && s.target === target && s.state === state,
    );
  }

  private async sample(): Promise<void> {
    const at = this.now();
    await Promise.all(
      Object.entries(connection.services).map(async ([service, { management }]) => {
        let states: Map<string, BreakerSample['state']>;
        try {
          const response = await fetch(`${management}/metrics`, {
            signal: AbortSignal.timeout(3_000),
          });
          states = parseBreakerStates(await response.text());
          this.misses.set(service, 0);
        } catch {
          const misses = (this.misses.get(service) ?? 0) + 1;
          this.misses.set(service, misses);
          if (misses < 2) return;
          states = new Map([['*', 'unreachable']]);
        }
        for (const [target, state] of states) {
          const key = `${service}->${target}`;
          const previous = this.last.get(key);
          if (previous === state) continue;
          this.last.set(key, state);
          this.breakers.push({
            at,
            service,
            target,
            state,
            ...(previous === undefined && state === 'closed' ? { initial: true } : {}),
          });
        }
        // Back after being unreachable: its breakers start closed again.
        if (!states.has('*') && this.last.get(`${service}->*`) === 'unreachable') {
          this.last.delete(`${service}->*`);
        }
      }),
    );
    if (this.ticks++ % 2 === 0 && this.productIds.length > 0) {
      try {
        const [row] = await this.platform.query<{ a: number; r: number; s: number }>(
          'inventory',
          `SELECT min(available)::int AS a, min(reserved)::int AS r, min(sold)::int AS s
             FROM stock_levels WHERE product_id = ANY($1::uuid[])`,
          [this.productIds],
        );
        if (row) this.stock.push({ at, minAvailable: row.a, minReserved: row.r, minSold: row.s });
      } catch {
        // inventory's database unreachable right now: no sample
      }
    }
  }
}
