// What samplers record during a scenario (the local platform's Sampler, the cluster suite's).
/** A breaker changed state (or was first seen): `service`'s breaker towards `target`. */
export interface BreakerSample {
  at: number;
  service: string;
  target: string;
  state: 'closed' | 'half_open' | 'open' | 'unreachable';
  /** The first sample of a breaker (its state when sampling began). */
  initial?: boolean;
}

export interface StockSample {
  at: number;
  minAvailable: number;
  minReserved: number;
  minSold: number;
}

const STATE_NAMES = ['closed', 'half_open', 'open'] as const;

/** `ordermesh_circuit_breaker_state{target="inventory"} 2` lines of a /metrics page. */
export function parseBreakerStates(metrics: string): Map<string, BreakerSample['state']> {
  const states = new Map<string, BreakerSample['state']>();
  for (const line of metrics.split('\n')) {
    const match = /^ordermesh_circuit_breaker_state\{target="([^"]+)"\} (\d+)/.exec(line);
    if (match) states.set(match[1]!, STATE_NAMES[Number(match[2])] ?? 'open');
  }
  return states;
}
