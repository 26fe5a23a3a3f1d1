import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The transactional outbox (include in the service's PostgresModule migrations). */
export class CreateOutbox1764100000000 implements MigrationInterface {
  name = 'CreateOutbox1764100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE outbox_events (
        id uuid PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        topic text NOT NULL,
        key text NOT NULL,
        envelope jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      )`);
    // The relay's only hot query reads unpublished rows in order; published rows are pruned.
    await runner.query(
      'CREATE INDEX outbox_events_unpublished_idx ON outbox_events (seq) WHERE published_at IS NULL',
    );
    await runner.query(
      'CREATE INDEX outbox_events_published_at_idx ON outbox_events (published_at) WHERE published_at IS NOT NULL',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE outbox_events');
  }
}

/** The idempotent consumers' ledger (include in the service's PostgresModule migrations). */
export class CreateProcessedEvents1764100000001 implements MigrationInterface {
  name = 'CreateProcessedEvents1764100000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE processed_events (
        consumer text NOT NULL,
        event_id uuid NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE processed_events');
  }
}

/** The retention sweep deletes the oldest marks (see OutboxModule): find them by age. */
export class ProcessedEventsByAge1795600000000 implements MigrationInterface {
  name = 'ProcessedEventsByAge1795600000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      'CREATE INDEX processed_events_processed_at_idx ON processed_events (processed_at)',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX processed_events_processed_at_idx');
  }
}

/** The messaging migrations, for a service's `PostgresModule.forRoot({ migrations })`. */
export const MESSAGING_MIGRATIONS = [
  CreateOutbox1764100000000,
  CreateProcessedEvents1764100000001,
  ProcessedEventsByAge1795600000000,
];
