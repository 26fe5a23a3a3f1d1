import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PostgresRetention } from '@ordermesh/persistence';
import {
  InjectConfig,
  invalidArgument,
  permissionDenied,
  unauthenticated,
} from '@ordermesh/service-kit';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import type { UserEnv } from '../config/env.schema';
import { UserEntity } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { RefreshTokenEntity } from './refresh-token.entity';

/** 32 random bytes, base64url without padding. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
/** Expired tokens are kept a day for the record, then deleted. */
const KEEP_EXPIRED_MS = 86_400_000;

export interface IssuedSession {
  sessionId: string;
  refreshToken: string;
  expiresAt: Date;
}

/** What a presented refresh token is worth. */
export type RefreshVerdict = 'valid' | 'unknown' | 'revoked' | 'reused' | 'expired' | 'ended';

/**
 * The one rule for a presented refresh token. A token already exchanged for its successor is a
 * reuse: either the client replayed an old token or someone else holds a copy, and the caller
 * revokes the whole family so neither copy goes on working.
 */
export function judgeRefreshToken(
  token: Pick<RefreshTokenEntity, 'expiresAt' | 'sessionEndsAt' | 'rotatedAt' | 'revokedAt'> | null,
  now: Date,
): RefreshVerdict {
  if (!token) return 'unknown';
  if (token.revokedAt) return 'revoked';
  if (token.rotatedAt) return 'reused';
  if (token.sessionEndsAt.getTime() <= now.getTime()) return 'ended';
  if (token.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'valid';
}

export const hashRefreshToken = (token: string) =>
  createHash('sha256').update(token, 'utf8').digest('hex');

const REFUSAL: Record<Exclude<RefreshVerdict, 'valid'>, string> = {
  unknown: 'invalid refresh token',
  revoked: 'this session has ended',
  reused: 'refresh token reused; the session has ended',
  expired: 'refresh token expired',
  ended: 'this session reached its maximum lifetime; sign in again',
};

/**
 * Sessions as rotating refresh-token families (stored hashed). Access tokens are the gateway's and
 * short-lived; every refresh re-reads the user, so a role change or a suspension reaches the
 * caller within one access-token lifetime.
 */
@Injectable()
export class SessionsService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly retention: PostgresRetention,
    @InjectConfig() private readonly config: UserEnv,
  ) {}

  onModuleInit(): void {
    this.retention.register({
      table: 'refresh_tokens',
      timeColumn: 'expires_at',
      retentionMs: KEEP_EXPIRED_MS,
    });
  }

  async create(
    email: string,
    password: string,
  ): Promise<{ user: UserEntity; session: IssuedSession }> {
    const user = await this.users.authenticate(email, password);
    const endsAt = new Date(Date.now() + this.config.SESSION_MAX_LIFETIME_SECONDS * 1000);
    const session = await this.issue(this.dataSource.manager, user.id, randomUUID(), endsAt);
    return { user, session };
  }

  async refresh(refreshToken: string): Promise<{ user: UserEntity; session: IssuedSession }> {
    const tokenHash = this.checkedHash(refreshToken);
    const outcome = await this.dataSource.transaction(async (manager) => {
      const tokens = manager.getRepository(RefreshTokenEntity);
      // The row lock makes two refreshes with one token take turns: the second one is a reuse.
      const token = await tokens.findOne({
        where: { tokenHash },
        lock: { mode: 'pessimistic_write' },
      });
      const now = new Date();
      const verdict = judgeRefreshToken(token, now);
      if (verdict !== 'valid') {
        if (verdict === 'reused') await revokeFamily(manager, token!.familyId, now);
        return { verdict } as const;
      }
      const user = await manager.getRepository(UserEntity).findOneBy({ id: token!.userId });
      if (!user || user.status !== 'active') {
        await revokeFamily(manager, token!.familyId, now);
        return { verdict: 'suspended' } as const;
      }
      await tokens.update({ id: token!.id }, { rotatedAt: now });
      const session = await this.issue(manager, user.id, token!.familyId, token!.sessionEndsAt);
      return { verdict, user, session } as const;
    });
    if (outcome.verdict === 'valid') return { user: outcome.user, session: outcome.session };
    if (outcome.verdict === 'suspended') throw permissionDenied('this account is suspended');
    throw unauthenticated(REFUSAL[outcome.verdict]);
  }

  /** Ends the session the token belongs to; the session id, or undefined for an unknown token. */
  async revoke(refreshToken: string): Promise<string | undefined> {
    if (!TOKEN_SHAPE.test(refreshToken)) return undefined;
    const token = await this.dataSource
      .getRepository(RefreshTokenEntity)
      .findOneBy({ tokenHash: hashRefreshToken(refreshToken) });
    if (!token) return undefined;
    await revokeFamily(this.dataSource.manager, token.familyId, new Date());
    return token.familyId;
  }

  /** Ends every session of a user (on suspension). */
  async revokeAllOf(userId: string): Promise<void> {
    await this.dataSource
      .getRepository(RefreshTokenEntity)
      .update({ userId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  private checkedHash(refreshToken: string): string {
    if (!refreshToken) throw invalidArgument('refresh_token is required');
    if (!TOKEN_SHAPE.test(refreshToken)) throw unauthenticated(REFUSAL.unknown);
    return hashRefreshToken(refreshToken);
  }

  /** A new token of the family `familyId`: a refresh TTL long, but never past `sessionEndsAt`. */
  private async issue(
    manager: EntityManager,
    userId: string,
    familyId: string,
    sessionEndsAt: Date,
  ): Promise<IssuedSession> {
    const refreshToken = randomBytes(32).toString('base64url');
    const createdAt = new Date();
    const expiresAt = new Date(
      Math.min(
        createdAt.getTime() + this.config.REFRESH_TOKEN_TTL_SECONDS * 1000,
        sessionEndsAt.getTime(),
      ),
    );
    await manager.getRepository(RefreshTokenEntity).insert({
      id: randomUUID(),
      familyId,
      userId,
      tokenHash: hashRefreshToken(refreshToken),
      createdAt,
      expiresAt,
      sessionEndsAt,
      rotatedAt: null,
      revokedAt: null,
    });
    return { sessionId: familyId, refreshToken, expiresAt };
  }
}

async function revokeFamily(manager: EntityManager, familyId: string, now: Date): Promise<void> {
  await manager
    .getRepository(RefreshTokenEntity)
    .update({ familyId, revokedAt: IsNull() }, { revokedAt: now });
}
