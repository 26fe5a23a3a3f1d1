import { Injectable, Logger } from '@nestjs/common';
import { InjectRedis } from '@ordermesh/persistence';
import { InjectConfig } from '@ordermesh/service-kit';
import type Redis from 'ioredis';
import type { GatewayEnv } from '../config/env.schema';

const key = (sessionId: string) => `session:ended:${sessionId}`;

/**
 * Sessions ended by logout, remembered (in Redis, shared by every gateway replica) for one
 * access-token lifetime: the access tokens of an ended session are refused at once instead of
 * working until they expire. The user service revokes the refresh tokens; this only closes the
 * window of the access tokens already handed out. While Redis is unreachable the check lets
 * tokens through, so a logged-out token then lasts at most its own lifetime, as it would without
 * this list.
 */
@Injectable()
export class SessionRevocations {
  private readonly logger = new Logger(SessionRevocations.name);

  constructor(
    @InjectRedis() private readonly redis: Redis,
    @InjectConfig() private readonly config: GatewayEnv,
  ) {}

  async end(sessionId: string): Promise<void> {
    await this.redis
      .set(key(sessionId), '1', 'EX', this.config.JWT_TTL_SECONDS)
      .catch((error: unknown) =>
        this.logger.warn(`could not record the end of a session: ${String(error)}`),
      );
  }

  async hasEnded(sessionId: string): Promise<boolean> {
    try {
      return (await this.redis.exists(key(sessionId))) === 1;
    } catch (error) {
      this.logger.warn(`could not check for an ended session: ${String(error)}`);
      return false;
    }
  }
}
