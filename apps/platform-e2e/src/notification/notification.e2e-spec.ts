/**
 * The notification service: events on Kafka become a user's notifications in Redis, one per
 * event however often it is delivered, listed newest first with cursor pagination.
 */
import { randomUUID } from 'node:crypto';
import {
  type EventEnvelope,
  type NotificationServiceClient,
  type ShippingServiceClient,
  createEvent,
} from '@ordermesh/contracts';
import { waitFor } from '@ordermesh/testing';
import { grpcAddress } from '../support/addresses';
import { type DirectClient, GrpcStatus, codeOf, directClient } from '../support/grpc';
import { EventPublisherForTests } from '../support/kafka-publish';

const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });
const at = (ms: number) => new Date(ms).toISOString();

function orderConfirmed(orderId: string, customerId: string, time = Date.now()) {
  return createEvent(
    'order.confirmed.v1',
    {
      orderId,
      customerId,
      lines: [{ productId: randomUUID(), quantity: 1 }],
      total: eur(1999),
      confirmedAt: at(time),
    },
    { source: 'order', time: at(time) },
  );
}

describe('notification service', () => {
  let notifications: DirectClient<NotificationServiceClient>;
  let shipping: DirectClient<ShippingServiceClient>;
  let kafka: EventPublisherForTests;

  beforeAll(async () => {
    notifications = directClient<NotificationServiceClient>(
      'notification',
      grpcAddress('notification'),
    );
    shipping = directClient<ShippingServiceClient>('shipping', grpcAddress('shipping'));
    kafka = await new EventPublisherForTests().start();
  });

  afterAll(async () => {
    await kafka?.stop();
    notifications?.close();
    shipping?.close();
  });

  const list = (userId: string, pageSize = 100, pageToken = '') =>
    notifications.rpc.listNotifications({ userId, pageSize, pageToken });

  const listed = (userId: string, count: number) =>
    waitFor(
      async () => {
        const page = await list(userId);
        return page.notifications.length >= count ? page.notifications : undefined;
      },
      { what: `${count} notification(s) for ${userId}` },
    );

  it('turns order.confirmed.v1 into one shipment and one notification, even when redelivered', async () => {
    const orderId = randomUUID();
    const customerId = randomUUID();
    const event = orderConfirmed(orderId, customerId);
    await kafka.publish(event);

    const [notification] = await listed(customerId, 1);
    expect(notification).toMatchObject({
      userId: customerId,
      kind: 'order.confirmed.v1',
      title: 'Order confirmed',
      eventId: event.id,
      createdAt: event.time,
    });
    expect(notification?.body).toContain('19.99 EUR');
    const shipment = await waitFor(
      () => shipping.rpc.getShipment({ orderId }).then((r) => r.shipment ?? undefined),
      { what: 'the shipment' },
    );

    const again = await kafka.publish(event);
    await kafka.handledBy('notification', again);
    await kafka.handledBy('shipping', again);
    expect((await list(customerId)).notifications).toEqual([notification]);
    expect((await shipping.rpc.getShipment({ orderId })).shipment).toEqual(shipment);
  });

  it('lists a user’s notifications newest first, page by page', async () => {
    const customerId = randomUUID();
    const orderId = randomUUID();
    const base = Date.now() - 60_000;
    const events: EventEnvelope[] = [
      createEvent(
        'order.placed.v1',
        {
          orderId,
          customerId,
          lines: [
            {
              productId: randomUUID(),
              name: 'Mug',
              quantity: 1,
              unitPrice: eur(500),
              lineTotal: eur(500),
            },
          ],
          total: eur(500),
          paymentMethod: 'card',
          placedAt: at(base),
        },
        { source: 'order', time: at(base) },
      ),
      orderConfirmed(orderId, customerId, base + 1_000),
      createEvent(
        'shipment.shipped.v1',
        {
          shipmentId: randomUUID(),
          orderId,
          customerId,
          trackingNumber: 'OMTEST0000001',
          shippedAt: at(base + 2_000),
        },
        { source: 'shipping', time: at(base + 2_000) },
      ),
      // Two events of the same millisecond: the cursor must not skip or repeat either.
      createEvent(
        'shipment.delivered.v1',
        {
          shipmentId: randomUUID(),
          orderId,
          customerId,
          trackingNumber: 'OMTEST0000001',
          deliveredAt: at(base + 3_000),
        },
        { source: 'shipping', time: at(base + 3_000) },
      ),
      createEvent(
        'payment.refunded.v1',
        {
          paymentId: randomUUID(),
          orderId,
          customerId,
          kind: 'REFUND',
          amount: eur(500),
          reason: 'returned',
          refundedAt: at(base + 3_000),
        },
        { source: 'payment', time: at(base + 3_000) },
      ),
      createEvent(
        'order.cancelled.v1',
        {
          orderId: randomUUID(),
          customerId,
          reason: 'payment_declined',
          previousStatus: 'PENDING',
          cancelledAt: at(base + 4_000),
        },
        { source: 'order', time: at(base + 4_000) },
      ),
    ];
    // Published out of order: the list is ordered by event time, not arrival.
    for (const event of [...events].reverse()) await kafka.publish(event);

    const all = await listed(customerId, events.length);
    expect(all).toHaveLength(events.length);
    const times = all.map((n) => n.createdAt);
    expect(times).toEqual([...times].sort().reverse());
    expect(new Set(all.map((n) => n.eventId))).toEqual(new Set(events.map((e) => e.id)));
    expect(all[0]?.kind).toBe('order.cancelled.v1');
    expect(all.at(-1)?.kind).toBe('order.placed.v1');

    for (const size of [1, 2, 4]) {
      const walked: string[] = [];
      let token = '';
      for (let pages = 0; pages < 20; pages++) {
        const page = await list(customerId, size, token);
        expect(page.notifications.length).toBeLessThanOrEqual(size);
        walked.push(...page.notifications.map((n) => n.notificationId));
        token = page.nextPageToken;
        if (!token) break;
      }
      expect(walked).toEqual(all.map((n) => n.notificationId));
    }
  });

  it('returns an empty list for a user without notifications', async () => {
    expect(await list(randomUUID())).toEqual({ notifications: [], nextPageToken: '' });
  });

  it('rejects bad user ids and page tokens with INVALID_ARGUMENT', async () => {
    const customerId = randomUUID();
    await kafka.publish(orderConfirmed(randomUUID(), customerId, Date.now() - 2_000));
    await kafka.publish(orderConfirmed(randomUUID(), customerId));
    await listed(customerId, 2);
    const { nextPageToken } = await list(customerId, 1);
    expect(nextPageToken).not.toBe('');

    expect(await codeOf(list('not-a-uuid'))).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(await codeOf(list(customerId, 1, 'garbage!'))).toBe(GrpcStatus.INVALID_ARGUMENT);
    // A token only works for the query it came from.
    expect(await codeOf(list(randomUUID(), 1, nextPageToken))).toBe(GrpcStatus.INVALID_ARGUMENT);
  });
});
