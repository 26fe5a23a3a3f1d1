import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** bigint columns arrive from pg as strings; amounts are validated as safe integers on write. */
const bigintAsNumber = {
  to: (value: number) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/** The selling price of one product; unit_amount_minor is derived (applyDiscountBps). */
@Entity({ name: 'prices' })
export class PriceEntity {
  @PrimaryColumn({ name: 'product_id', type: 'uuid' })
  productId!: string;

  @Column({ name: 'list_amount_minor', type: 'bigint', transformer: bigintAsNumber })
  listAmountMinor!: number;

  /** ISO 4217, upper case; list and unit price share it. */
  @Column({ type: 'text' })
  currency!: string;

  @Column({ name: 'discount_bps', type: 'integer' })
  discountBps!: number;

  @Column({ name: 'unit_amount_minor', type: 'bigint', transformer: bigintAsNumber })
  unitAmountMinor!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
