import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateShipments1764300000000 implements MigrationInterface {
  name = 'CreateShipments1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE shipments (
        id uuid PRIMARY KEY,
        order_id uuid NOT NULL UNIQUE,
        customer_id uuid NOT NULL,
        status text NOT NULL CHECK (status IN ('CREATED', 'SHIPPED', 'DELIVERED', 'CANCELLED')),
        tracking_number text UNIQUE,
        address jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        shipped_at timestamptz,
        delivered_at timestamptz,
        cancelled_at timestamptz,
        CHECK ((status IN ('SHIPPED', 'DELIVERED')) = (tracking_number IS NOT NULL))
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE shipments');
  }
}
