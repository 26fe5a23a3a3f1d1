import { Injectable } from '@nestjs/common';

/** A dependency check: resolves with details when the dependency is usable, rejects otherwise. */
export type ReadinessCheck = () => Promise<Record<string, unknown> | void>;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { status: 'up' | 'down'; [detail: string]: unknown }>;
}

/**
 * The process-wide readiness state: modules register their dependency checks; graceful shutdown
 * flips it to not-ready at once so load balancers stop sending traffic before draining starts.
 */
@Injectable()
export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();
  private shuttingDown = false;

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  beginShutdown(): void {
    this.shuttingDown = true;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  async report(timeoutMs = 2_000): Promise<ReadinessReport> {
    const checks: ReadinessReport['checks'] = {};
    if (this.shuttingDown) {
      return { ready: false, checks: { shutdown: { status: 'down', message: 'shutting down' } } };
    }
    await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        try {
          const details = await withTimeout(check(), timeoutMs, `${name} check timed out`);
          checks[name] = { status: 'up', ...(details ?? {}) };
        } catch (error) {
          checks[name] = { status: 'down', message: (error as Error).message };
        }
      }),
    );
    return { ready: Object.values(checks).every((c) => c.status === 'up'), checks };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
