import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Outbox } from '@ordermesh/messaging';
import { Metrics } from '@ordermesh/observability';
import type { Counter } from 'prom-client';
import { DataSource, type EntityManager } from 'typeorm';
import { PriceEntity } from './price.entity';
import { type PriceTerms, parseProductIds, parseSetPrice, sameTerms } from './price.rules';

export type SetPriceOutcome = 'created' | 'changed' | 'unchanged';

/** A row of `prices` as pg returns it: bigint as text. */
interface PriceRow {
  product_id: string;
  list_amount_minor: string;
  currency: string;
  discount_bps: number;
  unit_amount_minor: string;
  created_at: Date;
  updated_at: Date;
}

const PRICE_COLUMNS =
  'product_id, list_amount_minor, currency, discount_bps, unit_amount_minor, created_at, updated_at';

const toEntity = (row: PriceRow): PriceEntity =>
  Object.assign(new PriceEntity(), {
    productId: row.product_id,
    listAmountMinor: Number(row.list_amount_minor),
    currency: row.currency,
    discountBps: row.discount_bps,
    unitAmountMinor: Number(row.unit_amount_minor),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });

@Injectable()
export class PricesService {
  private readonly updates: Counter<'outcome'>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    metrics: Metrics,
  ) {
    this.updates = metrics.counter(
      'ordermesh_pricing_price_updates_total',
      'SetPrice calls by outcome (created, changed, unchanged)',
      ['outcome'],
    );
  }

  /**
   * Creates or replaces a price. The change and its price.changed.v1 event commit together
   * (outbox); a SetPrice that changes nothing writes nothing and publishes nothing.
   */
  async setPrice(request: Parameters<typeof parseSetPrice>[0]): Promise<PriceEntity> {
    const terms = parseSetPrice(request);
    const { price, outcome } = await this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(PriceEntity);
      // Insert-first: concurrent first prices of a product serialise on the primary key.
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(PriceEntity)
        .values(terms)
        .orIgnore()
        .returning('product_id')
        .execute();
      if (inserted.raw.length) {
        const created = await repository.findOneByOrFail({ productId: terms.productId });
        await this.publish(manager, created, undefined);
        return { price: created, outcome: 'created' as const };
      }
      const current = await repository.findOneOrFail({
        where: { productId: terms.productId },
        lock: { mode: 'pessimistic_write' },
      });
      if (sameTerms(current, terms)) return { price: current, outcome: 'unchanged' as const };
      const previousUnit = { amountMinor: current.unitAmountMinor, currency: current.currency };
      const { productId, ...changes } = terms;
      await repository.update({ productId }, changes);
      const changed = await repository.findOneByOrFail({ productId: terms.productId });
      await this.publish(manager, changed, previousUnit);
      return { price: changed, outcome: 'changed' as const };
    });
    this.updates.inc({ outcome });
    return price;
  }

  /** Prices in request order (duplicates collapsed) and the ids without a price. */
  async getPrices(
    productIds: readonly string[],
  ): Promise<{ prices: PriceEntity[]; missing: string[] }> {
    const ids = parseProductIds(productIds);
    if (!ids.length) return { prices: [], missing: [] };
    // One plain statement, as inventory reads stock: the query builder and entity hydration were
    // a third of this call's CPU (docs/performance.md).
    const rows = await this.dataSource.query<PriceRow[]>(
      `SELECT ${PRICE_COLUMNS} FROM prices WHERE product_id = ANY($1::uuid[])`,
      [ids],
    );
    const byId = new Map(rows.map((row) => [row.product_id, toEntity(row)]));
    return {
      prices: ids.flatMap((id) => byId.get(id) ?? []),
      missing: ids.filter((id) => !byId.has(id)),
    };
  }

  private async publish(
    manager: EntityManager,
    price: PriceTerms & { updatedAt: Date },
    previousUnitPrice: { amountMinor: number; currency: string } | undefined,
  ): Promise<void> {
    await this.outbox.add(manager, 'price.changed.v1', {
      productId: price.productId,
      listPrice: { amountMinor: price.listAmountMinor, currency: price.currency },
      discountBps: price.discountBps,
      unitPrice: { amountMinor: price.unitAmountMinor, currency: price.currency },
      ...(previousUnitPrice ? { previousUnitPrice } : {}),
      changedAt: price.updatedAt.toISOString(),
    });
  }
}
