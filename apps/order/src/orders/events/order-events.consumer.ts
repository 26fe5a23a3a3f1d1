import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { EventConsumer, type EventOf, processOnce } from '@ordermesh/messaging';
import { DataSource, type EntityManager } from 'typeorm';
import { OrderMetrics } from '../order.metrics';
import {
  type OrderRow,
  appendSteps,
  findOrder,
  markShipped,
  requestCancellation,
} from '../orders.repository';
import {
  CANCEL_REASONS,
  CONFIRMED_CANCEL_START,
  SHIPPED_BEFORE_CANCEL,
  isForward,
} from '../saga/state-machine';
import { SagaWorker } from '../saga/saga.worker';

const TOPICS = ['shipment.created.v1', 'shipment.shipped.v1', 'stock.released.v1'] as const;
type Consumed = EventOf<(typeof TOPICS)[number]>;

/**
 * Facts of other domains the order reacts to (consumer group `order`), each applied at most once
 * (processOnce in the same transaction as the change, under the order's row lock):
 * - shipment.shipped.v1: CONFIRMED -> SHIPPED (a cancellation is then refused; one still
 *   waiting for CancelShipment is withdrawn, as shipping would refuse it);
 * - shipment.created.v1: records the create_shipment step;
 * - stock.released.v1 with cause EXPIRED: a PENDING order whose reservation ran out is cancelled.
 */
@Injectable()
export class OrderEventsConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger('OrderEvents');

  constructor(
    private readonly consumer: EventConsumer,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly worker: SagaWorker,
    private readonly metrics: OrderMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.consumer.consume({ topics: TOPICS, handle: (event) => this.handle(event) });
  }

  async handle(event: Consumed): Promise<'processed' | 'duplicate'> {
    let shipped = false;
    let nudge = false;
    const result = await processOnce(this.dataSource, 'order', event.id, async (manager) => {
      switch (event.type) {
        case 'shipment.shipped.v1':
          shipped = await this.shipped(manager, event.data);
          break;
        case 'shipment.created.v1':
          await this.withOrder(
            manager,
            event.data.orderId,
            async () => {
              await appendSteps(manager, event.data.orderId, [
                {
                  step: 'create_shipment',
                  status: 'SUCCEEDED',
                  detail: `shipment ${event.data.shipmentId}`,
                },
              ]);
            },
            undefined,
          );
          break;
        case 'stock.released.v1':
          if (event.data.cause === 'EXPIRED')
            nudge = await this.expired(manager, event.data.orderId);
          break;
      }
    });
    if (result === 'processed' && shipped)
      this.metrics.orders.inc({ status: 'shipped', reason: 'none' });
    if (nudge) this.worker.nudge();
    return result;
  }

  private async shipped(
    manager: EntityManager,
    data: { orderId: string; trackingNumber: string },
  ): Promise<boolean> {
    return this.withOrder(
      manager,
      data.orderId,
      async (order) => {
        if (order.status === 'SHIPPED') return false;
        if (order.status === 'CONFIRMED' && order.saga_state === CONFIRMED_CANCEL_START) {
          // A cancellation that had not reached shipping yet: shipping would refuse it now.
          await markShipped(manager, order, { withdrawCancel: true });
          await appendSteps(manager, order.id, [
            { step: 'ship_order', status: 'SUCCEEDED', detail: `tracking ${data.trackingNumber}` },
            { step: 'cancel_order', status: 'FAILED', detail: SHIPPED_BEFORE_CANCEL },
          ]);
          return true;
        }
        if (order.status !== 'CONFIRMED' || order.saga_state !== 'DONE') {
          // Shipping ships only confirmed orders; a cancellation that started before the shipment
          // left goes on (see docs/architecture.md, "Order saga", open points).
          this.logger.warn(
            `order ${order.id}: shipped while ${order.status}/${order.saga_state}; not marked SHIPPED`,
          );
          await appendSteps(manager, order.id, [
            {
              step: 'ship_order',
              status: 'FAILED',
              detail: `shipped (tracking ${data.trackingNumber}) while the order was ${order.status.toLowerCase()} and ${order.saga_state.toLowerCase()}`,
            },
          ]);
          return false;
        }
        await markShipped(manager, order, { withdrawCancel: false });
        await appendSteps(manager, order.id, [
          { step: 'ship_order', status: 'SUCCEEDED', detail: `tracking ${data.trackingNumber}` },
        ]);
        return true;
      },
      false,
    );
  }

  /** The reservation of a not yet committed order ran out: cancel it (void, release, CANCELLED). */
  private async expired(manager: EntityManager, orderId: string): Promise<boolean> {
    return this.withOrder(
      manager,
      orderId,
      async (order) => {
        if (order.status !== 'PENDING' || !isForward(order.saga_state) || order.cancel_requested) {
          return false;
        }
        await requestCancellation(manager, orderId, {
          reason: CANCEL_REASONS.reservation_expired,
          code: 'reservation_expired',
          confirmedStart: CONFIRMED_CANCEL_START,
        });
        await appendSteps(manager, orderId, [
          { step: 'reserve_stock', status: 'FAILED', detail: 'reservation expired' },
        ]);
        return true;
      },
      false,
    );
  }

  /** Runs `fn` with the order locked; events about orders this service does not know are ignored. */
  private async withOrder<T>(
    manager: EntityManager,
    orderId: string,
    fn: (order: OrderRow) => Promise<T>,
    otherwise: T,
  ): Promise<T> {
    const order = await findOrder(manager, orderId, 'update');
    if (!order) {
      // e.g. test events, or an order of another environment sharing the topic
      this.logger.debug(`event for unknown order ${orderId} ignored`);
      return otherwise;
    }
    return fn(order);
  }
}
