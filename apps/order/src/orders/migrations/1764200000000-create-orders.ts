import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Orders, their lines and saga history, and the PlaceOrder idempotency keys (docs/architecture.md). */
export class CreateOrders1764200000000 implements MigrationInterface {
  name = 'CreateOrders1764200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE orders (
        id uuid PRIMARY KEY,
        customer_id uuid NOT NULL,
        status text NOT NULL
          CHECK (status IN ('PENDING', 'CONFIRMED', 'CANCELLED', 'SHIPPED')),
        saga_state text NOT NULL
          CHECK (saga_state IN ('RESERVED', 'AUTHORIZING', 'COMMITTING', 'CAPTURING',
                                'VOIDING', 'RELEASING', 'REFUNDING', 'RESTOCKING', 'DONE')),
        cancel_reason text,
        cancel_code text,
        cancel_requested boolean NOT NULL DEFAULT false,
        payment_method text NOT NULL,
        total_minor bigint NOT NULL CHECK (total_minor >= 0),
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        shipping_address jsonb,
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        payment_deadline_at timestamptz NOT NULL,
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // ListOrders: newest first per customer, and for admins over everyone (keyset pagination).
    await runner.query(
      'CREATE INDEX orders_customer_created_idx ON orders (customer_id, created_at DESC, id DESC)',
    );
    await runner.query('CREATE INDEX orders_created_idx ON orders (created_at DESC, id DESC)');
    // The saga worker's poll: only orders with work left, by due time.
    await runner.query(
      `CREATE INDEX orders_saga_due_idx ON orders (next_attempt_at) WHERE saga_state <> 'DONE'`,
    );
    await runner.query(`
      CREATE TABLE order_lines (
        order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        line_no int NOT NULL,
        product_id uuid NOT NULL,
        name text NOT NULL,
        quantity int NOT NULL CHECK (quantity > 0),
        unit_price_minor bigint NOT NULL CHECK (unit_price_minor >= 0),
        line_total_minor bigint NOT NULL CHECK (line_total_minor >= 0),
        currency text NOT NULL,
        PRIMARY KEY (order_id, line_no)
      )`);
    await runner.query(`
      CREATE TABLE order_steps (
        order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        seq int NOT NULL,
        step text NOT NULL,
        status text NOT NULL CHECK (status IN ('STARTED', 'SUCCEEDED', 'FAILED', 'COMPENSATED')),
        detail text NOT NULL DEFAULT '',
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (order_id, seq)
      )`);
    // No foreign key to orders: the key row is inserted first (it serialises concurrent requests
    // with the same key), the order later in the same transaction.
    await runner.query(`
      CREATE TABLE idempotency_keys (
        customer_id uuid NOT NULL,
        key text NOT NULL,
        order_id uuid NOT NULL,
        request_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (customer_id, key)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE idempotency_keys');
    await runner.query('DROP TABLE order_steps');
    await runner.query('DROP TABLE order_lines');
    await runner.query('DROP TABLE orders');
  }
}
