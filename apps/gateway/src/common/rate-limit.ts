import {
  type CanActivate,
  type ExecutionContext,
  HttpException,
  HttpStatus,
  Injectable,
} from '@nestjs/common';
import { InjectRedis } from '@ordermesh/persistence';
import { InjectConfig } from '@ordermesh/service-kit';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { AuthenticatedRequest } from '../auth/auth.guard';
import type { GatewayEnv } from '../config/env.schema';
import { ErrorFilter } from './error.filter';

/** Operational routes (probes, scrapes) are not the public API and are not limited. */
const OPERATIONAL_PATH = /^\/(health\/|metrics$)/;

/** A 429 in the API's error shape, with Retry-After set on the response. */
export function tooManyRequests(response: Response, msBeforeNext: number, what: string) {
  const retryAfter = Math.max(1, Math.ceil(msBeforeNext / 1000));
  response.setHeader('Retry-After', String(retryAfter));
  return new HttpException(`${what}, retry in ${retryAfter} s`, HttpStatus.TOO_MANY_REQUESTS);
}

/**
 * Fixed-window limits per client address and per authenticated user, kept in Redis so they hold
 * across gateway replicas. If Redis is unreachable the limiter falls back to a per-process limit
 * rather than failing requests. The address limit runs as the first middleware — before body
 * parsing and authentication — so requests refused with 401, 403 or 413 count as well; the user
 * limit runs once the caller is known (RateLimitGuard).
 */
@Injectable()
export class RateLimits {
  private readonly perIp: RateLimiterRedis;
  private readonly perUser: RateLimiterRedis;
  private readonly errors = new ErrorFilter();

  constructor(@InjectRedis() redis: Redis, @InjectConfig() config: GatewayEnv) {
    const limiter = (keyPrefix: string, points: number) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix,
        points,
        duration: 60,
        useRedisPackage: false,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration: 60 }),
      });
    this.perIp = limiter('rl:ip', config.RATE_LIMIT_IP_PER_MINUTE);
    this.perUser = limiter('rl:user', config.RATE_LIMIT_USER_PER_MINUTE);
  }

  /** Express middleware: the per-address limit (the address as `trust proxy` derives it). */
  clientAddressLimit(): RequestHandler {
    return (request: Request, response: Response, next: NextFunction) => {
      if (OPERATIONAL_PATH.test(request.path)) return next();
      this.perIp.consume(request.ip ?? 'unknown').then(
        () => next(),
        (rejection: unknown) => {
          if (!(rejection instanceof RateLimiterRes)) return next(rejection);
          this.errors.catchExpress(
            tooManyRequests(response, rejection.msBeforeNext, 'rate limit exceeded'),
            response,
          );
        },
      );
    };
  }

  async consumeUser(userId: string, response: Response): Promise<void> {
    try {
      await this.perUser.consume(userId);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      throw tooManyRequests(response, rejection.msBeforeNext, 'rate limit exceeded');
    }
  }
}

/** The per-user limit, after authentication (the address limit ran before anything else). */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(private readonly limits: RateLimits) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    if (request.principal) {
      await this.limits.consumeUser(request.principal.userId, http.getResponse<Response>());
    }
    return true;
  }
}
