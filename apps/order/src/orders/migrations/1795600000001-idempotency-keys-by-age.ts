import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Idempotency keys expire (IDEMPOTENCY_KEY_RETENTION_HOURS): the retention sweep finds them by age. */
export class IdempotencyKeysByAge1795600000001 implements MigrationInterface {
  name = 'IdempotencyKeysByAge1795600000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      'CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at)',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX idempotency_keys_created_at_idx');
  }
}
