import { Module } from '@nestjs/common';
import { NotificationMetrics } from './notification.metrics';
import { NotificationsConsumer } from './notifications.consumer';
import { NotificationsController } from './notifications.controller';
import { NotificationsService } from './notifications.service';

@Module({
  controllers: [NotificationsController],
  providers: [NotificationsService, NotificationsConsumer, NotificationMetrics],
})
export class NotificationsModule {}
