import type { DataSource, EntityManager } from 'typeorm';

/**
 * Runs `effect` at most once per (consumer, event): the processed_events mark and the effect
 * commit in one transaction, so a redelivered event (consumer crash before the offset commit,
 * rebalance, relay resend) has no second effect. Concurrent deliveries of one event serialise on
 * the primary key: the second waits for the first and then sees a duplicate, or, if the first
 * rolled back, processes it.
 *
 * `consumer` is the consumer group (service name), optionally with a handler suffix when one
 * service handles an event in more than one way.
 */
export async function processOnce(
  dataSource: DataSource,
  consumer: string,
  eventId: string,
  effect: (manager: EntityManager) => Promise<void>,
): Promise<'processed' | 'duplicate'> {
  return dataSource.transaction(async (manager) => {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2)
       ON CONFLICT (consumer, event_id) DO NOTHING
       RETURNING event_id`,
      [consumer, eventId],
    );
    if (inserted.length === 0) return 'duplicate';
    await effect(manager);
    return 'processed';
  });
}
