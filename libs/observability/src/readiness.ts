import { Injectable } from '@nestjs/common';

/** A dependency check: resolves with details when the dependency is usable, rejects otherwise. */
export type ReadinessCheck = () => Promise<Record<string, unknown> | void>;

export interface CheckOptions {
  /**
   * A non-critical dependency is reported but does not make the process unready: the gateway
   * keeps serving product pages while the order service restarts.
   */
  critical?: boolean;
}

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
  private readonly checks = new Map<string, { check: ReadinessCheck; critical: boolean }>();
  private shuttingDown = false;

  register(name: string, check: ReadinessCheck, options: CheckOptions = {}): void {
    this.checks.set(name, { check, critical: options.critical ?? true });
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
    let ready = true;
    await Promise.all(
      [...this.checks].map(async ([name, { check, critical }]) => {
        try {
          const details = await withTimeout(check(), timeoutMs, `${name} check timed out`);
          checks[name] = { status: 'up', ...(details ?? {}) };
        } catch (error) {
          checks[name] = { status: 'down', critical, message: (error as Error).message };
          if (critical) ready = false;
        }
      }),
    );
    return { ready, checks };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
