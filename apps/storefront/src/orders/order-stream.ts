import type { ApiNotification, ApiOrder, ApiShipment } from '../gateway/gateway.types';

/** What the order page shows live: the order with its saga log, its shipment, its notifications. */
export interface OrderSnapshot {
  order: ApiOrder;
  shipment: ApiShipment | null;
  notifications: ApiNotification[];
}

/** A change worth pushing: anything the page shows differs from what was last sent. */
export function fingerprint(snapshot: OrderSnapshot): string {
  const { order, shipment, notifications } = snapshot;
  return JSON.stringify([
    order.status,
    order.cancelReason,
    order.steps.map((step) => [step.step, step.status, step.detail]),
    shipment ? [shipment.status, shipment.trackingNumber] : null,
    notifications.map((n) => n.notificationId),
  ]);
}

/**
 * The notifications about one order: the notification service names an order by its reference,
 * `#` and the first 8 hex digits of its id in upper case.
 */
export function notificationsOf(
  orderId: string,
  all: readonly ApiNotification[],
): ApiNotification[] {
  const ref = `#${orderId.slice(0, 8).toUpperCase()}`;
  return all.filter((n) => n.body.includes(ref));
}
