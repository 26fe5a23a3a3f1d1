/**
 * Cancelling a CONFIRMED order is a durable saga path: the request records the intent on the
 * order row, and the saga worker asks shipping (CancelShipment), refunds and restocks, retrying
 * each step. Whatever is down when the customer cancels — shipping, payment, the order service
 * itself — the order converges: shipment cancelled, payment refunded, stock back, order
 * CANCELLED; never a cancelled shipment beside a captured payment for good.
 */
import { type FaultServiceClient, PaymentStatus, ShipmentStatus } from '@ordermesh/contracts';
import { type ApiClient, killComponent, startComponent, waitFor } from '@ordermesh/testing';
import { grpcAddress } from '../support/addresses';
import { admin, anonymous, createProduct } from '../support/fixtures';
import { directClient, GrpcStatus } from '../support/grpc';
import { Backends, type OrderView, placeOrder, waitForFinal } from './order-support';

const stepsOf = (order: OrderView) => order.steps.map((s) => `${s.step}:${s.status}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Makes `methods` of `service` fail with UNAVAILABLE (test profile FaultService), or heals it. */
async function setFaults(service: string, methods: string[] | undefined): Promise<void> {
  const client = directClient<FaultServiceClient>('fault', grpcAddress(service));
  try {
    await client.rpc.setFaults({
      latencyMs: 0,
      errorRateBps: methods ? 10_000 : 0,
      errorCode: GrpcStatus.UNAVAILABLE,
      methods: methods ?? [],
    });
  } finally {
    client.close();
  }
}

describe('order cancellation as a saga', () => {
  let adminClient: ApiClient;
  let backends: Backends;

  beforeAll(async () => {
    adminClient = await admin();
    backends = new Backends();
  });

  afterAll(async () => {
    await Promise.allSettled([setFaults('shipping', undefined), setFaults('payment', undefined)]);
    backends?.close();
  });

  /** A confirmed order of 2 units at 12.50 whose shipment exists. */
  async function confirmedOrder() {
    const product = await createProduct(adminClient, { stock: 5, amountMinor: 1250 });
    const { client } = await anonymous().newCustomer('Cancelling Customer');
    const placed = await placeOrder(client, [{ productId: product.id, quantity: 2 }]);
    expect(placed.status).toBe(201);
    const orderId = placed.body.id;
    expect((await waitForFinal(client, orderId)).status).toBe('confirmed');
    await waitFor(
      () => backends.shipping.rpc.getShipment({ orderId }).then((r) => r.shipment ?? undefined),
      { what: 'the shipment' },
    );
    return { client, orderId, productId: product.id };
  }

  async function expectConverged(client: ApiClient, orderId: string, productId: string) {
    const order = await waitForFinal(client, orderId, {
      accept: new Set(['cancelled']),
      timeoutMs: 90_000,
    });
    expect(stepsOf(order)).toEqual(
      expect.arrayContaining([
        'cancel_order:started',
        'cancel_shipment:succeeded',
        'refund_payment:compensated',
        'restock_stock:compensated',
      ]),
    );
    const { shipment } = await backends.shipping.rpc.getShipment({ orderId });
    expect(shipment?.status).toBe(ShipmentStatus.CANCELLED);
    const { payment } = await backends.payment.rpc.getPayment({ orderId });
    expect(payment).toMatchObject({
      status: PaymentStatus.REFUNDED,
      refundedAmount: { amountMinor: 2500, currency: 'EUR' },
    });
    expect(await backends.stock(productId)).toMatchObject({ available: 5, reserved: 0, sold: 0 });
  }

  it('shipping down: accepted, nothing undone meanwhile, converges once shipping is back', async () => {
    const { client, orderId, productId } = await confirmedOrder();
    await setFaults('shipping', ['CancelShipment']);
    try {
      const cancel = await client.post<OrderView>(`/api/v1/orders/${orderId}/cancel`, {});
      expect(cancel.status).toBe(200);
      expect(cancel.body.status).toBe('confirmed');
      // The intent is recorded; while shipping cannot answer, nothing is refunded.
      await sleep(2_000);
      const pending = await client.get<OrderView>(`/api/v1/orders/${orderId}`);
      expect(pending.body.status).toBe('confirmed');
      expect(stepsOf(pending.body)).toEqual(
        expect.arrayContaining(['cancel_order:started', 'cancel_shipment:failed']),
      );
      const { payment } = await backends.payment.rpc.getPayment({ orderId });
      expect(payment?.status).toBe(PaymentStatus.CAPTURED);
      const { shipment } = await backends.shipping.rpc.getShipment({ orderId });
      expect(shipment?.status).toBe(ShipmentStatus.CREATED);
      // Asking again changes nothing (the cancellation is already under way).
      const again = await client.post<OrderView>(`/api/v1/orders/${orderId}/cancel`, {});
      expect(again.status).toBe(200);
    } finally {
      await setFaults('shipping', undefined);
    }
    await expectConverged(client, orderId, productId);
  });

  it('payment down after shipping agreed: the refund retries until it is done', async () => {
    const { client, orderId, productId } = await confirmedOrder();
    await setFaults('payment', ['RefundPayment']);
    try {
      const cancel = await client.post<OrderView>(`/api/v1/orders/${orderId}/cancel`, {});
      expect(cancel.status).toBe(200);
      const pending = await waitFor(
        async () => {
          const order = (await client.get<OrderView>(`/api/v1/orders/${orderId}`)).body;
          return stepsOf(order).includes('refund_payment:failed') ? order : undefined;
        },
        { what: 'a failed refund attempt' },
      );
      expect(pending.status).toBe('confirmed');
      expect(stepsOf(pending)).toContain('cancel_shipment:succeeded');
    } finally {
      await setFaults('payment', undefined);
    }
    await expectConverged(client, orderId, productId);
  });

  it('the order service killed while the cancellation waits: the restarted one finishes it', async () => {
    const { client, orderId, productId } = await confirmedOrder();
    await setFaults('shipping', ['CancelShipment']);
    try {
      expect((await client.post(`/api/v1/orders/${orderId}/cancel`, {})).status).toBe(200);
      await killComponent('order');
      await startComponent('order');
    } finally {
      await setFaults('shipping', undefined);
    }
    await expectConverged(client, orderId, productId);
  });
});
