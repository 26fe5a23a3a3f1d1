import { Controller } from '@nestjs/common';
import {
  NotificationServiceControllerMethods,
  type ListNotificationsRequest,
  type ListNotificationsResponse,
  type NotificationServiceController,
} from '@ordermesh/contracts';
import { NotificationsService } from './notifications.service';

@Controller()
@NotificationServiceControllerMethods()
export class NotificationsController implements NotificationServiceController {
  constructor(private readonly notifications: NotificationsService) {}

  listNotifications(request: ListNotificationsRequest): Promise<ListNotificationsResponse> {
    return this.notifications.list(request.userId, request.pageSize, request.pageToken);
  }
}
