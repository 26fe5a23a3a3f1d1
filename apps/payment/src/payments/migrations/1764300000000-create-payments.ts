import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePayments1764300000000 implements MigrationInterface {
  name = 'CreatePayments1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE payments (
        id uuid PRIMARY KEY,
        order_id uuid NOT NULL UNIQUE,
        customer_id uuid NOT NULL,
        status text NOT NULL
          CHECK (status IN ('AUTHORIZED', 'CAPTURED', 'DECLINED', 'VOIDED', 'REFUNDED')),
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        payment_method text NOT NULL,
        decline_reason text,
        captured_minor bigint NOT NULL DEFAULT 0 CHECK (captured_minor >= 0),
        refunded_minor bigint NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0),
        refund_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (refunded_minor <= captured_minor),
        CHECK (captured_minor <= amount_minor),
        CHECK ((status = 'DECLINED') = (decline_reason IS NOT NULL))
      )`);
    await runner.query(`
      CREATE TABLE payment_operations (
        id uuid PRIMARY KEY,
        payment_id uuid NOT NULL REFERENCES payments (id),
        order_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('authorize', 'capture', 'void', 'refund')),
        outcome text NOT NULL CHECK (outcome IN ('approved', 'declined')),
        amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
        currency text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (order_id, kind)
      )`);
    await runner.query(
      'CREATE INDEX payment_operations_payment_idx ON payment_operations (payment_id)',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE payment_operations');
    await runner.query('DROP TABLE payments');
  }
}
