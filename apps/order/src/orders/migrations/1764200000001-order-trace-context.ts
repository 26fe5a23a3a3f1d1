import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The W3C trace context of the request that placed (or last cancelled) an order: the saga worker
 * runs each later step in it, so the whole saga shows up in that request's trace.
 */
export class OrderTraceContext1764200000001 implements MigrationInterface {
  name = 'OrderTraceContext1764200000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE orders ADD COLUMN trace_context jsonb');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE orders DROP COLUMN trace_context');
  }
}
