import { createEvent, eventsConsumedBy } from '@ordermesh/contracts';
import { IDS, samples } from '@ordermesh/contracts/events/samples';
import {
  NOTIFICATION_EVENTS,
  type NotificationEvent,
  formatMoney,
  orderRef,
  render,
} from './templates';

const event = <T extends (typeof NOTIFICATION_EVENTS)[number]>(type: T) =>
  createEvent(type, samples[type], { source: 'order' }) as NotificationEvent;

describe('NOTIFICATION_EVENTS', () => {
  it('is exactly what the event catalogue lists for notification', () => {
    expect([...NOTIFICATION_EVENTS].sort()).toEqual([...eventsConsumedBy('notification')].sort());
  });
});

describe('render', () => {
  it.each(NOTIFICATION_EVENTS)('addresses %s to its user with a title and body', (type) => {
    const content = render(event(type));
    expect(content.userId).toBe(IDS.CUSTOMER);
    expect(content.title).not.toBe('');
    expect(content.body).not.toBe('');
  });

  it('mentions the order, the amount, the reason and the tracking number', () => {
    expect(render(event('order.confirmed.v1')).body).toContain(orderRef(IDS.ORDER));
    expect(render(event('order.confirmed.v1')).body).toContain('36.00 EUR');
    expect(render(event('order.cancelled.v1')).body).toContain('out of stock');
    expect(render(event('shipment.shipped.v1')).body).toContain(
      samples['shipment.shipped.v1'].trackingNumber,
    );
  });

  it('tells a void from a refund', () => {
    const refund = createEvent(
      'payment.refunded.v1',
      { ...samples['payment.refunded.v1'], kind: 'REFUND' },
      { source: 'payment' },
    );
    const voided = createEvent(
      'payment.refunded.v1',
      { ...samples['payment.refunded.v1'], kind: 'VOID' },
      { source: 'payment' },
    );
    expect(render(refund).title).toBe('Refund issued');
    expect(render(voided).title).toBe('Payment released');
  });
});

describe('formatMoney', () => {
  it('uses the minor unit of the currency', () => {
    expect(formatMoney({ amountMinor: 1999, currency: 'EUR' })).toBe('19.99 EUR');
    expect(formatMoney({ amountMinor: 500, currency: 'JPY' })).toBe('500 JPY');
    expect(formatMoney({ amountMinor: 1234, currency: 'BHD' })).toBe('1.234 BHD');
    expect(formatMoney({ amountMinor: 5, currency: 'EUR' })).toBe('0.05 EUR');
  });
});
