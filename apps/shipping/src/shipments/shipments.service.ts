import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { EventEnvelope } from '@ordermesh/contracts';
import { Outbox, processOnce } from '@ordermesh/messaging';
import { isUniqueViolation } from '@ordermesh/persistence';
import { failedPrecondition, invalidArgument, isUuid, notFound } from '@ordermesh/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { ShipmentEntity } from './shipment.entity';
import { ShipmentMetrics } from './shipment.metrics';
import {
  type ShipmentStatusName,
  isRejection,
  newTrackingNumber,
  onOrderCancelled,
  statusChange,
} from './shipment-state';

/** processOnce consumer name = the consumer group (service name). */
const CONSUMER = 'shipping';

@Injectable()
export class ShipmentsService {
  private readonly logger = new Logger(ShipmentsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly metrics: ShipmentMetrics,
  ) {}

  /**
   * order.confirmed.v1 -> a CREATED shipment and shipment.created.v1, once per order: processOnce
   * absorbs a redelivered event, the unique order_id a second event for the same order (and a
   * cancellation that arrived first, see onOrderCancelled).
   */
  async onOrderConfirmed(
    event: EventEnvelope<'order.confirmed.v1'>,
  ): Promise<'processed' | 'duplicate'> {
    let created = false;
    const result = await processOnce(this.dataSource, CONSUMER, event.id, async (manager) => {
      const { orderId, customerId, shippingAddress } = event.data;
      const now = new Date();
      const id = randomUUID();
      const rows: unknown[] = await manager.query(
        `INSERT INTO shipments (id, order_id, customer_id, status, address, created_at, updated_at)
         VALUES ($1, $2, $3, 'CREATED', $4, $5, $5)
         ON CONFLICT (order_id) DO NOTHING
         RETURNING id`,
        [id, orderId, customerId, shippingAddress ? JSON.stringify(shippingAddress) : null, now],
      );
      if (rows.length === 0) return;
      await this.outbox.add(manager, 'shipment.created.v1', {
        shipmentId: id,
        orderId,
        customerId,
        ...(shippingAddress ? { address: shippingAddress } : {}),
        createdAt: now.toISOString(),
      });
      created = true;
    });
    if (created) this.metrics.reached('CREATED');
    return result;
  }

  /**
   * order.cancelled.v1 -> a CREATED shipment becomes CANCELLED. Topics are not ordered against each
   * other, so the cancellation of a confirmed order may arrive before its order.confirmed.v1: then a
   * CANCELLED shipment is recorded right away, and the late confirmation creates nothing.
   */
  async onOrderCancelled(
    event: EventEnvelope<'order.cancelled.v1'>,
  ): Promise<'processed' | 'duplicate'> {
    let cancelled = false;
    const result = await processOnce(this.dataSource, CONSUMER, event.id, async (manager) => {
      const { orderId, customerId, previousStatus } = event.data;
      const now = new Date();
      const shipment = await this.lock(manager, orderId);
      if (!shipment) {
        // A PENDING order never had (and never gets) a shipment: nothing to do.
        if (previousStatus !== 'CONFIRMED') return;
        const rows: unknown[] = await manager.query(
          `INSERT INTO shipments (id, order_id, customer_id, status, created_at, updated_at, cancelled_at)
           VALUES ($1, $2, $3, 'CANCELLED', $4, $4, $4)
           ON CONFLICT (order_id) DO NOTHING
           RETURNING id`,
          [randomUUID(), orderId, customerId, now],
        );
        // A concurrent order.confirmed.v1 (other partition) won the insert: retry the event.
        if (rows.length === 0)
          throw new Error(`shipment of order ${orderId} appeared concurrently`);
        cancelled = true;
        return;
      }
      const decision = onOrderCancelled(shipment.status);
      if (decision === 'keep') {
        this.logger.warn(
          `order ${orderId} was cancelled but its shipment is already ${shipment.status}; kept`,
        );
      }
      if (decision !== 'cancel') return;
      shipment.status = 'CANCELLED';
      shipment.cancelledAt = now;
      shipment.updatedAt = now;
      await manager.getRepository(ShipmentEntity).save(shipment);
      cancelled = true;
    });
    if (cancelled) this.metrics.reached('CANCELLED');
    return result;
  }

  /**
   * CancelShipment: the order service asks before it refunds a confirmed order, so an order is
   * never both refunded and shipped. Without a shipment yet (order.confirmed.v1 not consumed), a
   * CANCELLED one is recorded and the late confirmation creates nothing.
   */
  async cancel(orderId: string, customerId: string): Promise<ShipmentEntity> {
    if (!isUuid(orderId)) throw invalidArgument('order_id must be a UUID');
    if (!isUuid(customerId)) throw invalidArgument('customer_id must be a UUID');
    const result = await this.dataSource.transaction(async (manager) => {
      const now = new Date();
      // Waits for a concurrent order.confirmed.v1 insert of the same order, then sees its row.
      const inserted: unknown[] = await manager.query(
        `INSERT INTO shipments (id, order_id, customer_id, status, created_at, updated_at, cancelled_at)
         VALUES ($1, $2, $3, 'CANCELLED', $4, $4, $4)
         ON CONFLICT (order_id) DO NOTHING
         RETURNING id`,
        [randomUUID(), orderId.toLowerCase(), customerId.toLowerCase(), now],
      );
      const shipment = (await this.lock(manager, orderId.toLowerCase()))!;
      if (inserted.length > 0) return { shipment, changed: true };
      const decision = onOrderCancelled(shipment.status);
      if (decision === 'keep') {
        throw failedPrecondition(`the shipment is already ${shipment.status}`, {
          status: shipment.status,
        });
      }
      if (decision === 'already') return { shipment, changed: false };
      shipment.status = 'CANCELLED';
      shipment.cancelledAt = now;
      shipment.updatedAt = now;
      await manager.getRepository(ShipmentEntity).save(shipment);
      return { shipment, changed: true };
    });
    if (result.changed) this.metrics.reached('CANCELLED');
    return result.shipment;
  }

  async get(orderId: string): Promise<ShipmentEntity> {
    if (!isUuid(orderId)) throw invalidArgument('order_id must be a UUID');
    const shipment = await this.dataSource
      .getRepository(ShipmentEntity)
      .findOneBy({ orderId: orderId.toLowerCase() });
    if (!shipment) throw notFound(`order ${orderId} has no shipment (yet)`);
    return shipment;
  }

  /** Admin/demo: CREATED -> SHIPPED -> DELIVERED, or CREATED -> CANCELLED (see statusChange). */
  async updateStatus(orderId: string, status: ShipmentStatusName): Promise<ShipmentEntity> {
    if (!isUuid(orderId)) throw invalidArgument('order_id must be a UUID');
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.tryUpdateStatus(orderId.toLowerCase(), status);
      } catch (error) {
        // 60 random bits make a tracking-number collision practically impossible; retry anyway.
        if (!isUniqueViolation(error) || attempt >= 3) throw error;
      }
    }
  }

  private async tryUpdateStatus(
    orderId: string,
    status: ShipmentStatusName,
  ): Promise<ShipmentEntity> {
    const result = await this.dataSource.transaction(async (manager) => {
      const shipment = await this.lock(manager, orderId);
      if (!shipment) throw notFound(`order ${orderId} has no shipment (yet)`);
      const change = statusChange(shipment.status, status);
      if (isRejection(change)) {
        throw failedPrecondition(change.reject, { status: shipment.status });
      }
      if (change === 'noop') return { shipment, changed: false };
      const now = new Date();
      shipment.status = status;
      shipment.updatedAt = now;
      if (change === 'ship') {
        shipment.trackingNumber = newTrackingNumber();
        shipment.shippedAt = now;
      } else if (change === 'deliver') {
        shipment.deliveredAt = now;
      } else {
        shipment.cancelledAt = now;
      }
      await manager.getRepository(ShipmentEntity).save(shipment);
      const base = {
        shipmentId: shipment.id,
        orderId: shipment.orderId,
        customerId: shipment.customerId,
        trackingNumber: shipment.trackingNumber ?? '',
      };
      if (change === 'ship') {
        await this.outbox.add(manager, 'shipment.shipped.v1', {
          ...base,
          shippedAt: now.toISOString(),
        });
      } else if (change === 'deliver') {
        await this.outbox.add(manager, 'shipment.delivered.v1', {
          ...base,
          deliveredAt: now.toISOString(),
        });
      }
      return { shipment, changed: true };
    });
    if (result.changed) this.metrics.reached(result.shipment.status);
    return result.shipment;
  }

  private lock(manager: EntityManager, orderId: string): Promise<ShipmentEntity | null> {
    return manager
      .getRepository(ShipmentEntity)
      .findOne({ where: { orderId }, lock: { mode: 'pessimistic_write' } });
  }
}
