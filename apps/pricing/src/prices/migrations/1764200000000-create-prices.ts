import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePrices1764200000000 implements MigrationInterface {
  name = 'CreatePrices1764200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE prices (
        product_id uuid PRIMARY KEY,
        list_amount_minor bigint NOT NULL CHECK (list_amount_minor >= 0),
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        discount_bps integer NOT NULL CHECK (discount_bps BETWEEN 0 AND 10000),
        unit_amount_minor bigint NOT NULL CHECK (unit_amount_minor BETWEEN 0 AND list_amount_minor),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE prices');
  }
}
