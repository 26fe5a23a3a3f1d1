import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { EventConsumer } from '@ordermesh/messaging';
import { NotificationsService } from './notifications.service';
import { NOTIFICATION_EVENTS } from './templates';

/** Subscribes the `notification` group to every event the catalogue lists for it. */
@Injectable()
export class NotificationsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly consumer: EventConsumer,
    private readonly notifications: NotificationsService,
  ) {}

  onApplicationBootstrap(): void {
    this.consumer.consume({
      topics: NOTIFICATION_EVENTS,
      handle: (event) => this.notifications.store(event),
    });
  }
}
