import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';

/**
 * Stock of one product. available + reserved + sold changes only through SetStock; every other
 * operation moves units between the three counters (CHECK constraints keep each >= 0).
 */
@Entity({ name: 'stock_levels' })
export class StockLevelEntity {
  @PrimaryColumn({ name: 'product_id', type: 'uuid' })
  productId!: string;

  @Column({ type: 'integer' })
  available!: number;

  @Column({ type: 'integer' })
  reserved!: number;

  @Column({ type: 'integer' })
  sold!: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** Stored reservation states (a REJECTED ReserveStock is never stored). */
export const RESERVATION_STATES = [
  'reserved',
  'committed',
  'released',
  'expired',
  'restocked',
] as const;
export type ReservationState = (typeof RESERVATION_STATES)[number];

/** One reservation per order (order_id is unique: the idempotency key of ReserveStock). */
@Entity({ name: 'reservations' })
export class ReservationEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'order_id', type: 'uuid', unique: true })
  orderId!: string;

  @Column({ type: 'text' })
  status!: ReservationState;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'release_reason', type: 'text', default: '' })
  releaseReason!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

@Entity({ name: 'reservation_lines' })
export class ReservationLineEntity {
  @PrimaryColumn({ name: 'reservation_id', type: 'uuid' })
  reservationId!: string;

  @PrimaryColumn({ name: 'product_id', type: 'uuid' })
  productId!: string;

  @Column({ type: 'integer' })
  quantity!: number;

  @ManyToOne(() => ReservationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'reservation_id' })
  reservation?: ReservationEntity;
}

export const INVENTORY_ENTITIES = [StockLevelEntity, ReservationEntity, ReservationLineEntity];
