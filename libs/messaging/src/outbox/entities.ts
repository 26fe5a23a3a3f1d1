import type { EventEnvelope } from '@ordermesh/contracts';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An event waiting in (or recently relayed from) the transactional outbox. */
@Entity({ name: 'outbox_events' })
@Index('outbox_events_unpublished_idx', ['seq'], { where: 'published_at IS NULL' })
export class OutboxEventEntity {
  /** = envelope.id, so a relayed event and its row are found by the same id. */
  @PrimaryColumn('uuid')
  id!: string;

  /**
   * Insertion order. `created_at` cannot order the relay: now() is the transaction's start time,
   * equal for every event of one transaction and earlier for a transaction that commits later.
   */
  @Column({
    type: 'bigint',
    generated: 'identity',
    generatedIdentity: 'ALWAYS',
    insert: false,
    update: false,
  })
  seq!: string;

  @Column({ type: 'text' })
  topic!: string;

  @Column({ type: 'text' })
  key!: string;

  @Column({ type: 'jsonb' })
  envelope!: EventEnvelope;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;
}

/** Marks an event as handled by a consumer (see processOnce). */
@Entity({ name: 'processed_events' })
export class ProcessedEventEntity {
  @PrimaryColumn({ type: 'text' })
  consumer!: string;

  @PrimaryColumn({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ name: 'processed_at', type: 'timestamptz', default: () => 'now()' })
  processedAt!: Date;
}

/** Both messaging entities, for a service's `PostgresModule.forRoot({ entities })`. */
export const MESSAGING_ENTITIES = [OutboxEventEntity, ProcessedEventEntity];
