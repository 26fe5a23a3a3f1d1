import type { ApiNotification, ApiOrder } from '../gateway/gateway.types';
import { fingerprint, notificationsOf } from './order-stream';

const ID = 'abcdef12-1111-4111-8111-111111111111';
const note = (body: string): ApiNotification => ({
  notificationId: body,
  kind: 'order.confirmed.v1',
  title: 't',
  body,
  createdAt: '',
});
const order = { id: ID, status: 'pending', cancelReason: null, steps: [] } as unknown as ApiOrder;

describe('order stream', () => {
  it('picks the notifications naming the order by its reference', () => {
    const mine = note('Your order #ABCDEF12 is confirmed');
    expect(notificationsOf(ID, [mine, note('Your order #12345678 is confirmed')])).toEqual([mine]);
  });

  it('changes its fingerprint when a step, the status, the shipment or a notification changes', () => {
    const base = { order, shipment: null, notifications: [] };
    const withStep = {
      ...base,
      order: {
        ...order,
        steps: [{ step: 'reserve_stock', status: 'succeeded', detail: '', at: 'x' }],
      } as ApiOrder,
    };
    const prints = new Set([
      fingerprint(base),
      fingerprint(withStep),
      fingerprint({ ...base, order: { ...order, status: 'confirmed' } }),
      fingerprint({
        ...base,
        shipment: {
          shipmentId: 's',
          orderId: ID,
          status: 'pending',
          trackingNumber: '',
          createdAt: '',
          updatedAt: '',
        },
      }),
      fingerprint({ ...base, notifications: [note('#ABCDEF12')] }),
    ]);
    expect(prints.size).toBe(5);
    expect(fingerprint({ ...base, order: { ...order, updatedAt: 'later' } as ApiOrder })).toBe(
      fingerprint(base),
    );
  });
});
