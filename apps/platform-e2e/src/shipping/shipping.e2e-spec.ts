/**
 * The shipping service as the order service drives it: order.confirmed.v1 on Kafka creates one
 * shipment (and one shipment.created.v1) however often it is delivered, order.cancelled.v1 cancels
 * a shipment that has not left, CancelShipment lets the order service ask before it refunds, and
 * UpdateShipmentStatus only moves forward.
 */
import { randomUUID } from 'node:crypto';
import {
  type EventDataInput,
  ShipmentStatus,
  type ShippingServiceClient,
  createEvent,
} from '@ordermesh/contracts';
import { waitFor } from '@ordermesh/testing';
import { grpcAddress } from '../support/addresses';
import { EventTap } from '../support/event-tap';
import { type DirectClient, GrpcStatus, codeOf, directClient } from '../support/grpc';
import { connection } from '../support/connection-env';
import { DeadLetterTap } from '../support/dead-letter-tap';
import { EventPublisherForTests } from '../support/kafka-publish';

const address = {
  recipientName: 'Ada Lovelace',
  line1: 'Hauptstr. 1',
  line2: '',
  city: 'Berlin',
  region: '',
  postalCode: '10115',
  countryCode: 'DE',
};

function confirmed(orderId: string, customerId: string) {
  const data: EventDataInput<'order.confirmed.v1'> = {
    orderId,
    customerId,
    lines: [{ productId: randomUUID(), quantity: 2 }],
    total: { amountMinor: 3600, currency: 'EUR' },
    shippingAddress: address,
    confirmedAt: new Date().toISOString(),
  };
  return createEvent('order.confirmed.v1', data, { source: 'order' });
}

function cancelled(orderId: string, customerId: string, previousStatus: 'PENDING' | 'CONFIRMED') {
  return createEvent(
    'order.cancelled.v1',
    {
      orderId,
      customerId,
      reason: 'customer_request',
      previousStatus,
      cancelledAt: new Date().toISOString(),
    },
    { source: 'order' },
  );
}

describe('shipping service', () => {
  let shipping: DirectClient<ShippingServiceClient>;
  let kafka: EventPublisherForTests;
  let created: EventTap<'shipment.created.v1'>;
  let shipped: EventTap<'shipment.shipped.v1'>;
  let delivered: EventTap<'shipment.delivered.v1'>;

  beforeAll(async () => {
    shipping = directClient<ShippingServiceClient>('shipping', grpcAddress('shipping'));
    kafka = await new EventPublisherForTests().start();
    [created, shipped, delivered] = await Promise.all([
      new EventTap('shipment.created.v1').start(),
      new EventTap('shipment.shipped.v1').start(),
      new EventTap('shipment.delivered.v1').start(),
    ]);
  });

  afterAll(async () => {
    await Promise.allSettled([kafka?.stop(), created?.stop(), shipped?.stop(), delivered?.stop()]);
    shipping?.close();
  });

  const shipmentOf = (orderId: string) =>
    waitFor(() => shipping.rpc.getShipment({ orderId }).then((r) => r.shipment ?? undefined), {
      what: `the shipment of order ${orderId}`,
    });

  it('creates one shipment per confirmed order, however often the event is delivered', async () => {
    const orderId = randomUUID();
    const customerId = randomUUID();
    const event = confirmed(orderId, customerId);
    await kafka.publish(event);
    const shipment = await shipmentOf(orderId);
    expect(shipment).toMatchObject({
      orderId,
      customerId,
      status: ShipmentStatus.CREATED,
      trackingNumber: '',
      address,
    });
    const [createdEvent] = await created.waitFor((e) => e.data.orderId === orderId);
    expect(createdEvent?.data).toMatchObject({ shipmentId: shipment.shipmentId, address });

    // The same envelope again (a redelivery), and another confirmation of the same order.
    const again = await kafka.publish(event);
    const other = await kafka.publish(confirmed(orderId, customerId));
    await kafka.handledBy('shipping', again);
    await kafka.handledBy('shipping', other);
    expect((await shipping.rpc.getShipment({ orderId })).shipment).toEqual(shipment);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(created.events.filter((e) => e.data.orderId === orderId)).toHaveLength(1);
  });

  it('refuses a forged order.confirmed.v1 (another source than order): dead-lettered, no shipment', async () => {
    const metrics = async () => {
      const text = await (
        await fetch(`${connection.services['shipping']!.management}/metrics`)
      ).text();
      const line = text
        .split('\n')
        .find((l) =>
          l.startsWith('ordermesh_kafka_dlq_messages_total{topic="order.confirmed.v1"}'),
        );
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    const dlq = await new DeadLetterTap('order.confirmed.v1').start();
    try {
      const before = await metrics();
      const orderId = randomUUID();
      // What any workload that can write to the topic could send: valid in every field but source.
      const genuine = confirmed(orderId, randomUUID());
      const forged = { ...genuine, source: 'notification' };
      const record = await kafka.publish(forged);
      await kafka.handledBy('shipping', record);
      const letter = await dlq.waitFor(forged.id, 'shipping');
      expect(letter.headers['dlq-reason']).toBe(
        'forged event: order.confirmed.v1 comes from order only, this one claims source "notification"',
      );
      await expect(shipping.rpc.getShipment({ orderId })).rejects.toMatchObject({
        code: GrpcStatus.NOT_FOUND,
      });
      expect(await metrics()).toBe(before + 1);
      expect(created.events.some((e) => e.data.orderId === orderId)).toBe(false);

      // The genuine event (same id) is still handled: the refusal is for the source alone, and a
      // forger who copies an id does not get the real event deduplicated away.
      await kafka.handledBy('shipping', await kafka.publish(genuine));
      expect((await shipmentOf(orderId)).status).toBe(ShipmentStatus.CREATED);
    } finally {
      await dlq.stop();
    }
  });

  it('moves a shipment CREATED -> SHIPPED -> DELIVERED, never backwards', async () => {
    const orderId = randomUUID();
    await kafka.publish(confirmed(orderId, randomUUID()));
    await shipmentOf(orderId);

    expect(
      await codeOf(
        shipping.rpc.updateShipmentStatus({ orderId, status: ShipmentStatus.DELIVERED }),
      ),
    ).toBe(GrpcStatus.FAILED_PRECONDITION);
    const sent = await shipping.rpc.updateShipmentStatus({
      orderId,
      status: ShipmentStatus.SHIPPED,
    });
    expect(sent.shipment?.status).toBe(ShipmentStatus.SHIPPED);
    expect(sent.shipment?.trackingNumber).toMatch(/^OM[0-9A-Z]{12}$/);
    const repeat = await shipping.rpc.updateShipmentStatus({
      orderId,
      status: ShipmentStatus.SHIPPED,
    });
    expect(repeat.shipment).toEqual(sent.shipment);
    expect(
      await codeOf(shipping.rpc.updateShipmentStatus({ orderId, status: ShipmentStatus.CREATED })),
    ).toBe(GrpcStatus.FAILED_PRECONDITION);
    expect(
      await codeOf(
        shipping.rpc.updateShipmentStatus({ orderId, status: ShipmentStatus.CANCELLED }),
      ),
    ).toBe(GrpcStatus.FAILED_PRECONDITION);

    const done = await shipping.rpc.updateShipmentStatus({
      orderId,
      status: ShipmentStatus.DELIVERED,
    });
    expect(done.shipment).toMatchObject({
      status: ShipmentStatus.DELIVERED,
      trackingNumber: sent.shipment?.trackingNumber,
    });

    const [shippedEvent] = await shipped.waitFor((e) => e.data.orderId === orderId);
    expect(shippedEvent?.data.trackingNumber).toBe(sent.shipment?.trackingNumber);
    await delivered.waitFor((e) => e.data.orderId === orderId);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(shipped.events.filter((e) => e.data.orderId === orderId)).toHaveLength(1);
  });

  it('cancels a shipment that has not left when the order is cancelled', async () => {
    const orderId = randomUUID();
    const customerId = randomUUID();
    await kafka.publish(confirmed(orderId, customerId));
    await shipmentOf(orderId);
    const record = await kafka.publish(cancelled(orderId, customerId, 'CONFIRMED'));
    await kafka.handledBy('shipping', record);
    expect((await shipping.rpc.getShipment({ orderId })).shipment?.status).toBe(
      ShipmentStatus.CANCELLED,
    );
  });

  it('keeps a shipped shipment when the order is cancelled afterwards', async () => {
    const orderId = randomUUID();
    const customerId = randomUUID();
    await kafka.publish(confirmed(orderId, customerId));
    await shipmentOf(orderId);
    await shipping.rpc.updateShipmentStatus({ orderId, status: ShipmentStatus.SHIPPED });
    const record = await kafka.publish(cancelled(orderId, customerId, 'CONFIRMED'));
    await kafka.handledBy('shipping', record);
    expect((await shipping.rpc.getShipment({ orderId })).shipment?.status).toBe(
      ShipmentStatus.SHIPPED,
    );
  });

  it('never ships an order whose cancellation arrived before its confirmation', async () => {
    const orderId = randomUUID();
    const customerId = randomUUID();
    const early = await kafka.publish(cancelled(orderId, customerId, 'CONFIRMED'));
    await kafka.handledBy('shipping', early);
    const late = await kafka.publish(confirmed(orderId, customerId));
    await kafka.handledBy('shipping', late);
    expect((await shipping.rpc.getShipment({ orderId })).shipment?.status).toBe(
      ShipmentStatus.CANCELLED,
    );
    expect(created.events.filter((e) => e.data.orderId === orderId)).toHaveLength(0);
  });

  it('has no shipment for an order cancelled while PENDING', async () => {
    const orderId = randomUUID();
    const record = await kafka.publish(cancelled(orderId, randomUUID(), 'PENDING'));
    await kafka.handledBy('shipping', record);
    expect(await codeOf(shipping.rpc.getShipment({ orderId }))).toBe(GrpcStatus.NOT_FOUND);
  });

  describe('CancelShipment (the order service, before it refunds a confirmed order)', () => {
    it('cancels a shipment that has not left, and again is a no-op', async () => {
      const orderId = randomUUID();
      const customerId = randomUUID();
      await kafka.publish(confirmed(orderId, customerId));
      await shipmentOf(orderId);
      const first = await shipping.rpc.cancelShipment({ orderId, customerId });
      expect(first.shipment?.status).toBe(ShipmentStatus.CANCELLED);
      const again = await shipping.rpc.cancelShipment({ orderId, customerId });
      expect(again.shipment).toEqual(first.shipment);
      expect(
        await codeOf(
          shipping.rpc.updateShipmentStatus({ orderId, status: ShipmentStatus.SHIPPED }),
        ),
      ).toBe(GrpcStatus.FAILED_PRECONDITION);
    });

    it('refuses once the shipment has left (FAILED_PRECONDITION) and keeps it', async () => {
      const orderId = randomUUID();
      const customerId = randomUUID();
      await kafka.publish(confirmed(orderId, customerId));
      await shipmentOf(orderId);
      await shipping.rpc.updateShipmentStatus({ orderId, status: ShipmentStatus.SHIPPED });
      expect(await codeOf(shipping.rpc.cancelShipment({ orderId, customerId }))).toBe(
        GrpcStatus.FAILED_PRECONDITION,
      );
      expect((await shipping.rpc.getShipment({ orderId })).shipment?.status).toBe(
        ShipmentStatus.SHIPPED,
      );
    });

    it('records the cancellation before the confirmation arrives: none is created later', async () => {
      const orderId = randomUUID();
      const customerId = randomUUID();
      const { shipment } = await shipping.rpc.cancelShipment({ orderId, customerId });
      expect(shipment).toMatchObject({ orderId, customerId, status: ShipmentStatus.CANCELLED });
      const late = await kafka.publish(confirmed(orderId, customerId));
      await kafka.handledBy('shipping', late);
      expect((await shipping.rpc.getShipment({ orderId })).shipment?.status).toBe(
        ShipmentStatus.CANCELLED,
      );
      expect(created.events.filter((e) => e.data.orderId === orderId)).toHaveLength(0);
      expect(await codeOf(shipping.rpc.cancelShipment({ orderId: 'x', customerId }))).toBe(
        GrpcStatus.INVALID_ARGUMENT,
      );
    });
  });

  it('answers NOT_FOUND / INVALID_ARGUMENT for unknown orders and bad requests', async () => {
    const orderId = randomUUID();
    expect(await codeOf(shipping.rpc.getShipment({ orderId }))).toBe(GrpcStatus.NOT_FOUND);
    expect(
      await codeOf(shipping.rpc.updateShipmentStatus({ orderId, status: ShipmentStatus.SHIPPED })),
    ).toBe(GrpcStatus.NOT_FOUND);
    expect(await codeOf(shipping.rpc.getShipment({ orderId: 'x' }))).toBe(
      GrpcStatus.INVALID_ARGUMENT,
    );
    expect(
      await codeOf(
        shipping.rpc.updateShipmentStatus({ orderId, status: ShipmentStatus.UNSPECIFIED }),
      ),
    ).toBe(GrpcStatus.INVALID_ARGUMENT);
  });
});
