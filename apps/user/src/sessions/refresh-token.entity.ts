import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One refresh token of a session. A session is a token family: each refresh uses the current token
 * up (`rotated_at`) and adds the next one to the family. Only the SHA-256 of the token is stored.
 */
@Entity({ name: 'refresh_tokens' })
export class RefreshTokenEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'family_id', type: 'uuid' })
  familyId!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  /** Hex SHA-256 of the token; unique. */
  @Column({ name: 'token_hash', type: 'text', unique: true })
  tokenHash!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** The token's own end: a refresh TTL after its creation, never after the session's end. */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  /** The session's absolute end (SESSION_MAX_LIFETIME_SECONDS after its login), the same in the family. */
  @Column({ name: 'session_ends_at', type: 'timestamptz' })
  sessionEndsAt!: Date;

  /** Set when the token was exchanged for its successor: presenting it again is a reuse. */
  @Column({ name: 'rotated_at', type: 'timestamptz', nullable: true })
  rotatedAt!: Date | null;

  /** Set on logout, on reuse of any token of the family and on suspension of the user. */
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
