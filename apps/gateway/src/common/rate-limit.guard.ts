import {
  CanActivate,
  ExecutionContext,
  HttpException,
  HttpStatus,
  Injectable,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { OPERATIONAL_ROUTE } from '@ordermesh/observability';
import { InjectRedis } from '@ordermesh/persistence';
import { InjectConfig } from '@ordermesh/service-kit';
import type { Request, Response } from 'express';
import type Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { AuthenticatedRequest } from '../auth/auth.guard';
import type { GatewayEnv } from '../config/env.schema';

/**
 * Fixed-window limits per client IP and per authenticated user, kept in Redis so they hold across
 * gateway replicas. If Redis is unreachable the limiter falls back to a per-process limit rather
 * than failing requests. Runs after authentication, so the user limit knows the caller.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly perIp: RateLimiterRedis;
  private readonly perUser: RateLimiterRedis;

  constructor(
    private readonly reflector: Reflector,
    @InjectRedis() redis: Redis,
    @InjectConfig() config: GatewayEnv,
  ) {
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

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(OPERATIONAL_ROUTE, targets)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest & Request>();
    const response = http.getResponse<Response>();
    try {
      await this.perIp.consume(request.ip ?? 'unknown');
      if (request.principal) await this.perUser.consume(request.principal.userId);
      return true;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      response.setHeader('Retry-After', String(retryAfter));
      throw new HttpException(
        `rate limit exceeded, retry in ${retryAfter} s`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
  }
}
