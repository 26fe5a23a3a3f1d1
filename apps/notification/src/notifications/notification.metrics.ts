import { Injectable } from '@nestjs/common';
import { Metrics } from '@ordermesh/observability';

@Injectable()
export class NotificationMetrics {
  private readonly notifications;

  constructor(metrics: Metrics) {
    this.notifications = metrics.counter(
      'ordermesh_notifications_total',
      'Notifications derived from events, by event type and result (stored, duplicate)',
      ['kind', 'result'],
    );
  }

  stored(kind: string, result: 'stored' | 'duplicate'): void {
    this.notifications.inc({ kind, result });
  }
}
