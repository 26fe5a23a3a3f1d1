import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A session's absolute end (SESSION_MAX_LIFETIME_SECONDS after its login), carried by every token
 * of its family. Sessions that exist already end 30 days (the default) after their first token
 * still on record.
 */
export class AddSessionEnd1797000000000 implements MigrationInterface {
  name = 'AddSessionEnd1797000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE refresh_tokens ADD COLUMN session_ends_at timestamptz');
    await runner.query(`
      UPDATE refresh_tokens t SET session_ends_at = f.started + interval '30 days'
      FROM (SELECT family_id, min(created_at) AS started FROM refresh_tokens GROUP BY family_id) f
      WHERE t.family_id = f.family_id`);
    await runner.query('ALTER TABLE refresh_tokens ALTER COLUMN session_ends_at SET NOT NULL');
    await runner.query(
      'ALTER TABLE refresh_tokens ADD CONSTRAINT refresh_tokens_within_session CHECK (expires_at <= session_ends_at)',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE refresh_tokens DROP COLUMN session_ends_at');
  }
}
