import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateRefreshTokens1796000000000 implements MigrationInterface {
  name = 'CreateRefreshTokens1796000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY,
        family_id uuid NOT NULL,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        rotated_at timestamptz,
        revoked_at timestamptz
      )`);
    await runner.query('CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id)');
    await runner.query(
      'CREATE INDEX refresh_tokens_live_by_user ON refresh_tokens (user_id) WHERE revoked_at IS NULL',
    );
    await runner.query('CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE refresh_tokens');
  }
}
