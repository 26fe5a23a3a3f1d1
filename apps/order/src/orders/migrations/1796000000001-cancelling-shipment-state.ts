import type { MigrationInterface, QueryRunner } from 'typeorm';

const BEFORE = `'RESERVED', 'AUTHORIZING', 'COMMITTING', 'CAPTURING', 'VOIDING', 'RELEASING', 'REFUNDING', 'RESTOCKING', 'DONE'`;

/**
 * CANCELLING_SHIPMENT: the cancellation of a CONFIRMED order is a saga path of its own, recorded
 * on the row before shipping is asked (see saga/state-machine.ts).
 */
export class CancellingShipmentState1796000000001 implements MigrationInterface {
  name = 'CancellingShipmentState1796000000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE orders DROP CONSTRAINT orders_saga_state_check`);
    await runner.query(
      `ALTER TABLE orders ADD CONSTRAINT orders_saga_state_check
         CHECK (saga_state IN (${BEFORE}, 'CANCELLING_SHIPMENT'))`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE orders DROP CONSTRAINT orders_saga_state_check`);
    await runner.query(
      `ALTER TABLE orders ADD CONSTRAINT orders_saga_state_check CHECK (saga_state IN (${BEFORE}))`,
    );
  }
}
