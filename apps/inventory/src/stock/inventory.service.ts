import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Outbox } from '@ordermesh/messaging';
import { Metrics } from '@ordermesh/observability';
import { failedPrecondition, notFound } from '@ordermesh/service-kit';
import type { Counter } from 'prom-client';
import { DataSource, type EntityManager } from 'typeorm';
import type { ReservationState } from './stock.entities';
import {
  COUNTER_MOVES,
  EXPIRED_REASON,
  type Line,
  type Operation,
  byProductId,
  decide,
  mergeLines,
  parseOrderId,
  parseProductId,
  parseProductIds,
  parseQuantity,
  parseReason,
  parseReserve,
} from './stock.rules';

export interface Level {
  productId: string;
  available: number;
  reserved: number;
  sold: number;
  updatedAt: Date;
}

export interface Shortage {
  productId: string;
  requested: number;
  available: number;
}

export interface StoredReservation {
  id: string;
  orderId: string;
  status: ReservationState;
  lines: Line[];
  expiresAt: Date;
  releaseReason: string;
  createdAt: Date;
  updatedAt: Date;
}

export type ReserveResult =
  | { kind: 'reserved' | 'existing'; reservation: StoredReservation }
  | { kind: 'rejected'; orderId: string; lines: Line[]; shortages: Shortage[]; at: Date };

export type ReservationOutcome =
  'reserved' | 'rejected' | 'replayed' | 'committed' | 'released' | 'expired' | 'restocked';

interface LevelRow {
  product_id: string;
  available: number;
  reserved: number;
  sold: number;
  updated_at: Date;
}

interface ReservationRow {
  id: string;
  order_id: string;
  status: ReservationState;
  expires_at: Date;
  release_reason: string;
  created_at: Date;
  updated_at: Date;
}

interface LineRow {
  reservation_id: string;
  product_id: string;
  quantity: number;
}

const LEVEL_COLUMNS = 'product_id, available, reserved, sold, updated_at';
const RESERVATION_COLUMNS =
  'id, order_id, status, expires_at, release_reason, created_at, updated_at';

/** Thrown inside ReserveStock's transaction to roll it back; becomes a REJECTED result. */
class Rejection extends Error {
  constructor(readonly shortages: Shortage[]) {
    super('not enough stock');
  }
}

/** TypeORM returns `[rows, rowCount]` for UPDATE and DELETE statements. */
async function update<R>(manager: EntityManager, sql: string, params: unknown[]): Promise<R[]> {
  const [rows] = (await manager.query(sql, params)) as [R[], number];
  return rows;
}

const toLevel = (row: LevelRow): Level => ({
  productId: row.product_id,
  available: row.available,
  reserved: row.reserved,
  sold: row.sold,
  updatedAt: row.updated_at,
});

@Injectable()
export class InventoryService {
  private readonly outcomes: Counter<'outcome'>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    metrics: Metrics,
  ) {
    this.outcomes = metrics.counter(
      'ordermesh_inventory_reservations_total',
      'ReserveStock results (reserved, rejected, replayed) and reservation transitions',
      ['outcome'],
    );
  }

  /** Sets `available` (creating the row); reserved and sold stay as they are. */
  async setStock(productId: string, quantity: number): Promise<Level> {
    const id = parseProductId(productId);
    const available = parseQuantity(quantity);
    const [row] = await this.dataSource.query<LevelRow[]>(
      `INSERT INTO stock_levels (product_id, available) VALUES ($1, $2)
       ON CONFLICT (product_id) DO UPDATE SET available = EXCLUDED.available, updated_at = now()
       RETURNING ${LEVEL_COLUMNS}`,
      [id, available],
    );
    if (!row) throw new Error(`upsert of stock level ${id} returned no row`);
    return toLevel(row);
  }

  /** Levels in request order (duplicates collapsed) and the ids that were never stocked. */
  async getStockLevels(
    productIds: readonly string[],
  ): Promise<{ levels: Level[]; missing: string[] }> {
    const ids = parseProductIds(productIds);
    if (!ids.length) return { levels: [], missing: [] };
    const rows = await this.dataSource.query<LevelRow[]>(
      `SELECT ${LEVEL_COLUMNS} FROM stock_levels WHERE product_id = ANY($1::uuid[])`,
      [ids],
    );
    const byId = new Map(rows.map((row) => [row.product_id, toLevel(row)]));
    return {
      levels: ids.flatMap((id) => byId.get(id) ?? []),
      missing: ids.filter((id) => !byId.has(id)),
    };
  }

  /**
   * All lines or none, in one transaction. The reservation row is inserted first: its unique
   * order_id makes a concurrent call for the same order wait for this one, then return what it
   * stored (or, if this one was REJECTED and rolled back, try itself). Stock rows are then
   * decremented in product-id order with a guarded UPDATE, so two reservations never deadlock and
   * `available` never goes below zero.
   */
  async reserve(request: {
    orderId: string;
    lines: readonly Line[];
    ttlSeconds: number;
  }): Promise<ReserveResult> {
    const input = parseReserve(request);
    try {
      const result = await this.dataSource.transaction(async (manager) => {
        const inserted = await manager.query<{ id: string }[]>(
          `INSERT INTO reservations (id, order_id, status, expires_at)
           VALUES ($1, $2, 'reserved', now() + $3 * interval '1 second')
           ON CONFLICT (order_id) DO NOTHING
           RETURNING id`,
          [randomUUID(), input.orderId, input.ttlSeconds],
        );
        if (!inserted.length) {
          // Another call for this order committed first: idempotent repeat.
          const existing = await this.mustLoad(manager, input.orderId);
          return { kind: 'existing' as const, reservation: existing };
        }
        const [{ id: reservationId }] = inserted as [{ id: string }];
        const failed: Line[] = [];
        for (const line of input.lines) {
          const moved = await update(
            manager,
            `UPDATE stock_levels
             SET available = available - $2, reserved = reserved + $2, updated_at = now()
             WHERE product_id = $1 AND available >= $2
             RETURNING product_id`,
            [line.productId, line.quantity],
          );
          if (!moved.length) failed.push(line);
        }
        if (failed.length) {
          // Lines are distinct products, so this transaction's own updates do not show here.
          const rows = await manager.query<{ product_id: string; available: number }[]>(
            'SELECT product_id, available FROM stock_levels WHERE product_id = ANY($1::uuid[])',
            [failed.map((line) => line.productId)],
          );
          const available = new Map(rows.map((row) => [row.product_id, row.available]));
          throw new Rejection(
            failed.map((line) => ({
              productId: line.productId,
              requested: line.quantity,
              available: available.get(line.productId) ?? 0,
            })),
          );
        }
        await manager.query(
          `INSERT INTO reservation_lines (reservation_id, product_id, quantity)
           SELECT $1, product_id, quantity FROM unnest($2::uuid[], $3::int[]) AS l(product_id, quantity)`,
          [
            reservationId,
            input.lines.map((line) => line.productId),
            input.lines.map((line) => line.quantity),
          ],
        );
        const reservation = await this.mustLoad(manager, input.orderId);
        return { kind: 'reserved' as const, reservation };
      });
      this.count(result.kind === 'existing' ? 'replayed' : 'reserved');
      return result;
    } catch (error) {
      if (!(error instanceof Rejection)) throw error;
      this.count('rejected');
      return {
        kind: 'rejected',
        orderId: input.orderId,
        lines: input.lines,
        shortages: error.shortages,
        at: new Date(),
      };
    }
  }

  commit(orderId: string): Promise<StoredReservation> {
    return this.transition('commit', orderId, '');
  }

  release(orderId: string, reason: string): Promise<StoredReservation> {
    return this.transition('release', orderId, reason);
  }

  restock(orderId: string, reason: string): Promise<StoredReservation> {
    return this.transition('restock', orderId, reason);
  }

  /**
   * Expires up to `batchSize` RESERVED reservations whose TTL ran out, in one transaction.
   * SKIP LOCKED: replicas sweeping at the same time take different reservations, and a reservation
   * being committed or released right now is left to that call. Returns how many it expired.
   */
  async expireDue(batchSize: number): Promise<number> {
    const expired = await this.dataSource.transaction(async (manager) => {
      const due = await manager.query<ReservationRow[]>(
        `SELECT ${RESERVATION_COLUMNS} FROM reservations
         WHERE status = 'reserved' AND expires_at <= now()
         ORDER BY expires_at
         LIMIT $1
         FOR UPDATE SKIP LOCKED`,
        [batchSize],
      );
      if (!due.length) return 0;
      const ids = due.map((row) => row.id);
      const lines = await manager.query<LineRow[]>(
        `SELECT reservation_id, product_id, quantity FROM reservation_lines
         WHERE reservation_id = ANY($1::uuid[])`,
        [ids],
      );
      await this.moveUnits(manager, mergeLines(lines.map(toLine)), 'expired');
      const updated = await update<{ id: string; updated_at: Date }>(
        manager,
        `UPDATE reservations SET status = 'expired', release_reason = $2, updated_at = now()
         WHERE id = ANY($1::uuid[])
         RETURNING id, updated_at`,
        [ids, EXPIRED_REASON],
      );
      const releasedAt = new Map(updated.map((row) => [row.id, row.updated_at]));
      for (const row of due) {
        await this.outbox.add(manager, 'stock.released.v1', {
          reservationId: row.id,
          orderId: row.order_id,
          cause: 'EXPIRED',
          reason: EXPIRED_REASON,
          lines: lines
            .filter((line) => line.reservation_id === row.id)
            .map(toLine)
            .sort(byProductId),
          releasedAt: (releasedAt.get(row.id) ?? new Date()).toISOString(),
        });
      }
      return due.length;
    });
    if (expired) this.count('expired', expired);
    return expired;
  }

  private async transition(
    operation: Operation,
    orderId: string,
    reasonInput: string,
  ): Promise<StoredReservation> {
    const id = parseOrderId(orderId);
    const reason = operation === 'commit' ? '' : parseReason(reasonInput);
    const { reservation, applied } = await this.dataSource.transaction(async (manager) => {
      // The row lock serialises this call with other transitions of the order and the sweeper.
      const current = await this.load(manager, id, true);
      if (!current) throw notFound(`order ${id} has no reservation`);
      const decision = decide(operation, current.status);
      if (decision.kind === 'reject') {
        throw failedPrecondition(decision.message, { status: current.status.toUpperCase() });
      }
      if (decision.kind === 'noop') return { reservation: current, applied: undefined };
      const to = decision.to;
      await this.moveUnits(manager, current.lines, to);
      await manager.query(
        `UPDATE reservations SET status = $2, release_reason = $3, updated_at = now() WHERE id = $1`,
        [current.id, to, reason],
      );
      const next = await this.mustLoad(manager, id);
      if (to === 'released' || to === 'restocked') {
        await this.outbox.add(manager, 'stock.released.v1', {
          reservationId: next.id,
          orderId: next.orderId,
          cause: to === 'released' ? 'RELEASED' : 'RESTOCKED',
          reason,
          lines: next.lines,
          releasedAt: next.updatedAt.toISOString(),
        });
      }
      return { reservation: next, applied: to };
    });
    if (applied) this.count(applied);
    return reservation;
  }

  /** Moves the lines' units between counters, locking stock rows in product-id order. */
  private async moveUnits(
    manager: EntityManager,
    lines: readonly Line[],
    to: keyof typeof COUNTER_MOVES,
  ): Promise<void> {
    const move = COUNTER_MOVES[to];
    for (const line of [...lines].sort(byProductId)) {
      const moved = await update(
        manager,
        `UPDATE stock_levels
         SET ${move.from} = ${move.from} - $2, ${move.to} = ${move.to} + $2, updated_at = now()
         WHERE product_id = $1
         RETURNING product_id`,
        [line.productId, line.quantity],
      );
      // A reservation's lines were reserved from existing rows, and rows are never deleted.
      if (!moved.length) throw new Error(`stock level of product ${line.productId} is missing`);
    }
  }

  private async mustLoad(manager: EntityManager, orderId: string): Promise<StoredReservation> {
    const reservation = await this.load(manager, orderId);
    if (!reservation) throw new Error(`reservation of order ${orderId} vanished`);
    return reservation;
  }

  private async load(
    manager: EntityManager,
    orderId: string,
    lock = false,
  ): Promise<StoredReservation | undefined> {
    const [row] = await manager.query<ReservationRow[]>(
      `SELECT ${RESERVATION_COLUMNS} FROM reservations WHERE order_id = $1${lock ? ' FOR UPDATE' : ''}`,
      [orderId],
    );
    if (!row) return undefined;
    const lines = await manager.query<LineRow[]>(
      `SELECT reservation_id, product_id, quantity FROM reservation_lines
       WHERE reservation_id = $1 ORDER BY product_id`,
      [row.id],
    );
    return {
      id: row.id,
      orderId: row.order_id,
      status: row.status,
      lines: lines.map(toLine),
      expiresAt: row.expires_at,
      releaseReason: row.release_reason,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  private count(outcome: ReservationOutcome, by = 1): void {
    this.outcomes.inc({ outcome }, by);
  }
}

function toLine(row: LineRow): Line {
  return { productId: row.product_id, quantity: row.quantity };
}
