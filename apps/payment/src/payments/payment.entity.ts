import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { OperationKind, OperationOutcome, PaymentStatusName } from './payment-state';

/** bigint columns come back from pg as strings; amounts stay below 2^53 (see common.proto). */
const bigintAsNumber = {
  to: (value: number | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/** One payment per order (order_id is unique). */
@Entity({ name: 'payments' })
export class PaymentEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'order_id', type: 'uuid', unique: true })
  orderId!: string;

  @Column({ name: 'customer_id', type: 'uuid' })
  customerId!: string;

  @Column({ type: 'text' })
  status!: PaymentStatusName;

  /** Authorized (or declined) amount, minor units. */
  @Column({ name: 'amount_minor', type: 'bigint', transformer: bigintAsNumber })
  amountMinor!: number;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ name: 'payment_method', type: 'text' })
  paymentMethod!: string;

  @Column({ name: 'decline_reason', type: 'text', nullable: true })
  declineReason!: string | null;

  @Column({ name: 'captured_minor', type: 'bigint', transformer: bigintAsNumber })
  capturedMinor!: number;

  @Column({ name: 'refunded_minor', type: 'bigint', transformer: bigintAsNumber })
  refundedMinor!: number;

  @Column({ name: 'refund_reason', type: 'text', nullable: true })
  refundReason!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/**
 * The provider operations ledger: at most one row per (order, kind), enforced by the database, so
 * "one authorization / one capture / one refund per order" holds even against a buggy caller.
 */
@Entity({ name: 'payment_operations' })
export class PaymentOperationEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'payment_id', type: 'uuid' })
  paymentId!: string;

  @Column({ name: 'order_id', type: 'uuid' })
  orderId!: string;

  @Column({ type: 'text' })
  kind!: OperationKind;

  @Column({ type: 'text' })
  outcome!: OperationOutcome;

  @Column({ name: 'amount_minor', type: 'bigint', transformer: bigintAsNumber })
  amountMinor!: number;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
