import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRedis } from '@ordermesh/persistence';
import type { Response } from 'express';
import type Redis from 'ioredis';
import { tooManyRequests } from '../common/rate-limit';

export interface DelayPolicy {
  /** Failures without any delay. */
  free: number;
  /** The first delay; each further failure doubles it … */
  baseMs: number;
  /** … up to this. */
  maxMs: number;
  /** Failures are forgotten this long after the last one. */
  windowMs: number;
}

/**
 * Failed logins of one account from one client address: a guesser there soon waits minutes per
 * attempt.
 */
export const PER_ACCOUNT_AND_ADDRESS: DelayPolicy = {
  free: 5,
  baseMs: 1_000,
  maxMs: 15 * 60_000,
  windowMs: 60 * 60_000,
};

/**
 * Failed logins of one account from anywhere: slows a guesser spread over many addresses, but
 * caps at a minute, so a stranger can make the owner wait, never lock them out.
 */
export const PER_ACCOUNT: DelayPolicy = {
  free: 20,
  baseMs: 1_000,
  maxMs: 60_000,
  windowMs: 60 * 60_000,
};

/** How long after the last failure the next attempt is allowed. */
export function loginDelayMs(failures: number, policy: DelayPolicy): number {
  if (failures < policy.free) return 0;
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(30, failures - policy.free));
}

/** Milliseconds to wait now, given each key's failures and the time of the last one. */
export function waitMs(
  counters: Array<{ failures: number; lastFailureAt: number; policy: DelayPolicy }>,
  now: number,
): number {
  return Math.max(
    0,
    ...counters.map(
      ({ failures, lastFailureAt, policy }) => lastFailureAt + loginDelayMs(failures, policy) - now,
    ),
  );
}

interface Key {
  redisKey: string;
  policy: DelayPolicy;
}

const digest = (...parts: string[]) =>
  createHash('sha256').update(parts.join('\0'), 'utf8').digest('hex').slice(0, 32);

/**
 * Per-account login throttling with growing delays after failures, in Redis (shared by the
 * gateway replicas). An attempt inside a delay is refused with 429 before the password is
 * checked and does not count. Keys are hashes of the normalised email, so an unknown email is
 * throttled exactly like a known one (no account enumeration) and no email is stored. Redis
 * unreachable: no throttling (the per-address rate limit still applies).
 */
@Injectable()
export class LoginThrottle {
  private readonly logger = new Logger(LoginThrottle.name);

  constructor(@InjectRedis() private readonly redis: Redis) {}

  keys(email: string, clientAddress: string): Key[] {
    const account = email.trim().toLowerCase();
    return [
      { redisKey: `login:fail:${digest(account, clientAddress)}`, policy: PER_ACCOUNT_AND_ADDRESS },
      { redisKey: `login:fail:${digest(account)}`, policy: PER_ACCOUNT },
    ];
  }

  /** Throws a 429 (Retry-After set) while one of the keys is inside its delay. */
  async check(keys: Key[], response: Response): Promise<void> {
    let counters;
    try {
      counters = await Promise.all(
        keys.map(async ({ redisKey, policy }) => {
          const [failures, last] = await this.redis.hmget(redisKey, 'failures', 'last');
          return { failures: Number(failures ?? 0), lastFailureAt: Number(last ?? 0), policy };
        }),
      );
    } catch (error) {
      this.logger.warn(`login throttle unavailable: ${String(error)}`);
      return;
    }
    const wait = waitMs(counters, Date.now());
    if (wait > 0) throw tooManyRequests(response, wait, 'too many failed logins');
  }

  async failed(keys: Key[]): Promise<void> {
    const now = Date.now();
    const pipeline = this.redis.multi();
    for (const { redisKey, policy } of keys) {
      pipeline.hincrby(redisKey, 'failures', 1);
      pipeline.hset(redisKey, 'last', String(now));
      pipeline.pexpire(redisKey, policy.windowMs);
    }
    await pipeline
      .exec()
      .catch((error: unknown) =>
        this.logger.warn(`could not count a failed login: ${String(error)}`),
      );
  }

  async succeeded(keys: Key[]): Promise<void> {
    await this.redis
      .del(...keys.map((key) => key.redisKey))
      .catch((error: unknown) =>
        this.logger.warn(`could not reset the failed logins: ${String(error)}`),
      );
  }
}
