import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateInventory1764200000000 implements MigrationInterface {
  name = 'CreateInventory1764200000000';

  async up(runner: QueryRunner): Promise<void> {
    // The CHECKs are the last line of defence: no code path can make a counter negative.
    await runner.query(`
      CREATE TABLE stock_levels (
        product_id uuid PRIMARY KEY,
        available integer NOT NULL DEFAULT 0 CHECK (available >= 0),
        reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
        sold integer NOT NULL DEFAULT 0 CHECK (sold >= 0),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE reservations (
        id uuid PRIMARY KEY,
        order_id uuid NOT NULL UNIQUE,
        status text NOT NULL
          CHECK (status IN ('reserved', 'committed', 'released', 'expired', 'restocked')),
        expires_at timestamptz NOT NULL,
        release_reason text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The expiry sweeper's only query: open reservations by expiry.
    await runner.query(
      `CREATE INDEX reservations_open_expiry_idx ON reservations (expires_at) WHERE status = 'reserved'`,
    );
    await runner.query(`
      CREATE TABLE reservation_lines (
        reservation_id uuid NOT NULL REFERENCES reservations (id) ON DELETE CASCADE,
        product_id uuid NOT NULL,
        quantity integer NOT NULL CHECK (quantity > 0),
        PRIMARY KEY (reservation_id, product_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE reservation_lines');
    await runner.query('DROP TABLE reservations');
    await runner.query('DROP TABLE stock_levels');
  }
}
