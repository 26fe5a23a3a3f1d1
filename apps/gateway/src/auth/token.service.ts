import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectConfig } from '@ordermesh/service-kit';
import type { GatewayEnv } from '../config/env.schema';

export type Role = 'customer' | 'admin';

export interface Principal {
  userId: string;
  role: Role;
}

/** The one algorithm accepted: a token signed any other way (including `none`) is rejected. */
export const TOKEN_ALGORITHM = 'HS256';

export class InvalidTokenError extends Error {}

/** Issues and verifies the API's bearer tokens: algorithm, issuer, audience and expiry checked. */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    @InjectConfig() private readonly config: GatewayEnv,
  ) {}

  async issue(principal: Principal): Promise<{ accessToken: string; expiresIn: number }> {
    const accessToken = await this.jwt.signAsync(
      { role: principal.role },
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
    let payload: { sub?: unknown; role?: unknown; exp?: unknown };
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
    const { sub, role, exp } = payload;
    if (
      typeof sub !== 'string' ||
      typeof exp !== 'number' ||
      (role !== 'customer' && role !== 'admin')
    ) {
      throw new InvalidTokenError('invalid token');
    }
    return { userId: sub, role };
  }
}
