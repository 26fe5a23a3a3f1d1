// What a notification says, per event type; pure (unit-tested in templates.spec.ts).
import type { EventEnvelope, Money } from '@ordermesh/contracts';

/** The events the notification service consumes; a spec keeps it equal to the catalogue's list. */
export const NOTIFICATION_EVENTS = [
  'user.registered.v1',
  'order.placed.v1',
  'order.confirmed.v1',
  'order.cancelled.v1',
  'payment.refunded.v1',
  'shipment.shipped.v1',
  'shipment.delivered.v1',
] as const;

export type NotificationEventType = (typeof NOTIFICATION_EVENTS)[number];
export type NotificationEvent = {
  [T in NotificationEventType]: EventEnvelope<T>;
}[NotificationEventType];

export interface NotificationContent {
  /** Who is told. */
  userId: string;
  title: string;
  body: string;
}

/** "19.99 EUR"-style amount in the currency's own minor unit (JPY has none, BHD three). */
export function formatMoney({ amountMinor, currency }: Money): string {
  let digits = 2;
  try {
    digits =
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
        .maximumFractionDigits ?? 2;
  } catch {
    // Not a currency Intl knows: assume cents.
  }
  const value = amountMinor / 10 ** digits;
  return `${value.toFixed(digits)} ${currency}`;
}

/** Short, human-friendly order reference: the first 8 hex digits of its id. */
export function orderRef(orderId: string): string {
  return `#${orderId.slice(0, 8).toUpperCase()}`;
}

export function render(event: NotificationEvent): NotificationContent {
  switch (event.type) {
    case 'user.registered.v1':
      return {
        userId: event.data.userId,
        title: 'Welcome to Ordermesh',
        body: `Hi ${event.data.name}, your account is ready.`,
      };
    case 'order.placed.v1':
      return {
        userId: event.data.customerId,
        title: 'Order received',
        body: `We received your order ${orderRef(event.data.orderId)} for ${formatMoney(event.data.total)}.`,
      };
    case 'order.confirmed.v1':
      return {
        userId: event.data.customerId,
        title: 'Order confirmed',
        body: `Your order ${orderRef(event.data.orderId)} (${formatMoney(event.data.total)}) is confirmed and will ship soon.`,
      };
    case 'order.cancelled.v1':
      return {
        userId: event.data.customerId,
        title: 'Order cancelled',
        body: `Your order ${orderRef(event.data.orderId)} was cancelled: ${event.data.reason.replace(/_/g, ' ')}.`,
      };
    case 'payment.refunded.v1': {
      const { kind, amount, orderId } = event.data;
      return kind === 'REFUND'
        ? {
            userId: event.data.customerId,
            title: 'Refund issued',
            body: `${formatMoney(amount)} for order ${orderRef(orderId)} was refunded.`,
          }
        : {
            userId: event.data.customerId,
            title: 'Payment released',
            body: `The hold of ${formatMoney(amount)} for order ${orderRef(orderId)} was released; you were not charged.`,
          };
    }
    case 'shipment.shipped.v1':
      return {
        userId: event.data.customerId,
        title: 'Order shipped',
        body: `Your order ${orderRef(event.data.orderId)} is on its way. Tracking number: ${event.data.trackingNumber}.`,
      };
    case 'shipment.delivered.v1':
      return {
        userId: event.data.customerId,
        title: 'Order delivered',
        body: `Your order ${orderRef(event.data.orderId)} was delivered.`,
      };
  }
}
