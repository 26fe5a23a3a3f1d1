import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectConfig } from '@ordermesh/service-kit';
import type { GatewayEnv } from '../config/env.schema';

export type Role = 'customer' | 'admin';

export interface Principal {
  userId: string;
  role: Role;
  /** The session (refresh-token family) the access token was issued for. */
  sessionId: string;
}

/** The one algorithm accepted: a token signed any other way (including `none`) is rejected. */
export const TOKEN_ALGORITHM = 'HS256';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class InvalidTokenError extends Error {}

/**
 * Issues and verifies the API's short-lived access tokens: algorithm, issuer, audience and expiry
 * checked, and every token names the session it belongs to (`sid`), so logging out ends it.
 */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    @InjectConfig() private readonly config: GatewayEnv,
  ) {}

  async issue(principal: Principal): Promise<{ accessToken: string; expiresIn: number }> {
    const accessToken = await this.jwt.signAsync(
      { role: principal.role, sid: principal.sessionId },
      {
        algorithm: TOKEN_ALGORITHM,
        subject: principal.userId,
        issuer: this.config.JWT_ISSUER,
        audience: this.config.JWT_AUDIENCE,
        expiresIn: this.config.JWT_TTL_SECONDS,
      },
    );
    return { accessToken, expiresIn: this.config.JWT_TTL_SECONDS };
  }

  async verify(token: string): Promise<Principal> {
    let payload: { sub?: unknown; role?: unknown; sid?: unknown; exp?: unknown };
    try {
      payload = await this.jwt.verifyAsync(token, {
        algorithms: [TOKEN_ALGORITHM],
        issuer: this.config.JWT_ISSUER,
        audience: this.config.JWT_AUDIENCE,
      });
    } catch (error) {
      const name = (error as Error).name;
      throw new InvalidTokenError(name === 'TokenExpiredError' ? 'token expired' : 'invalid token');
    }
    const { sub, role, sid, exp } = payload;
    if (
      typeof sub !== 'string' ||
      typeof exp !== 'number' ||
      typeof sid !== 'string' ||
      !UUID.test(sid) ||
      (role !== 'customer' && role !== 'admin')
    ) {
      throw new InvalidTokenError('invalid token');
    }
    return { userId: sub, role, sessionId: sid };
  }
}
