import type { Address } from '@ordermesh/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ShipmentStatusName } from './shipment-state';

/** One shipment per order (order_id is unique). */
@Entity({ name: 'shipments' })
export class ShipmentEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'order_id', type: 'uuid', unique: true })
  orderId!: string;

  @Column({ name: 'customer_id', type: 'uuid' })
  customerId!: string;

  @Column({ type: 'text' })
  status!: ShipmentStatusName;

  /** Assigned when SHIPPED (see shipping.proto). */
  @Column({ name: 'tracking_number', type: 'text', nullable: true })
  trackingNumber!: string | null;

  /** The order's shipping address; null when the order had none. */
  @Column({ type: 'jsonb', nullable: true })
  address!: Address | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'shipped_at', type: 'timestamptz', nullable: true })
  shippedAt!: Date | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true })
  cancelledAt!: Date | null;
}
