import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { EventConsumer } from '@ordermesh/messaging';
import { ShipmentsService } from './shipments.service';

/** Subscribes the `shipping` group to the order events it reacts to (see docs/events.md). */
@Injectable()
export class ShipmentsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly consumer: EventConsumer,
    private readonly shipments: ShipmentsService,
  ) {}

  /** After every module's init, so the migrations have created the tables. */
  onApplicationBootstrap(): void {
    this.consumer.consume({
      topics: ['order.confirmed.v1', 'order.cancelled.v1'],
      handle: (event) =>
        event.type === 'order.confirmed.v1'
          ? this.shipments.onOrderConfirmed(event)
          : this.shipments.onOrderCancelled(event),
    });
  }
}
