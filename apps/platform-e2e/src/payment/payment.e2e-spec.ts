/**
 * The payment service over gRPC (as the order saga calls it), checked against its own database:
 * one payment and one ledger row per order and operation, however often and however concurrently
 * it is called; captures, voids and refunds happen once; decline rules and injected faults of
 * the test controls (test profile only).
 */
import { randomUUID } from 'node:crypto';
import { PaymentStatus, type PaymentServiceClient } from '@ordermesh/contracts';
import { E2E_PROFILE } from '@ordermesh/testing';
import { Client } from 'pg';
import { databaseUrl, grpcAddress } from '../support/addresses';
import { EventTap } from '../support/event-tap';
import { type DirectClient, GrpcStatus, codeOf, directClient } from '../support/grpc';

/**
 * Whether the payment service under test runs with PAYMENT_TEST_CONTROLS (the test profile sets
 * it, the dev profile does not). E2E_PAYMENT_TEST_CONTROLS=enabled|disabled overrides the guess.
 */
const TEST_CONTROLS =
  (process.env['E2E_PAYMENT_TEST_CONTROLS'] ??
    (E2E_PROFILE === 'test' ? 'enabled' : 'disabled')) === 'enabled';

const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });

describe('payment service', () => {
  let payment: DirectClient<PaymentServiceClient>;
  let db: Client;
  let captured: EventTap<'payment.captured.v1'>;
  let refunded: EventTap<'payment.refunded.v1'>;
  let authorized: EventTap<'payment.authorized.v1'>;

  beforeAll(async () => {
    payment = directClient<PaymentServiceClient>('payment', grpcAddress('payment'));
    db = new Client({ connectionString: databaseUrl('payment') });
    await db.connect();
    [captured, refunded, authorized] = await Promise.all([
      new EventTap('payment.captured.v1').start(),
      new EventTap('payment.refunded.v1').start(),
      new EventTap('payment.authorized.v1').start(),
    ]);
  });

  afterAll(async () => {
    await Promise.allSettled([captured?.stop(), refunded?.stop(), authorized?.stop()]);
    await db?.end();
    payment?.close();
  });

  const authorize = (
    orderId: string,
    customerId: string,
    amountMinor = 4200,
    method = 'card',
    timeoutMs?: number,
  ) =>
    payment.rpc.authorizePayment(
      { orderId, customerId, amount: eur(amountMinor), paymentMethod: method },
      timeoutMs === undefined ? {} : { timeoutMs },
    );

  async function rows(orderId: string): Promise<{ payments: number; operations: string[] }> {
    const p = await db.query('SELECT count(*)::int AS n FROM payments WHERE order_id = $1', [
      orderId,
    ]);
    const o = await db.query(
      'SELECT kind FROM payment_operations WHERE order_id = $1 ORDER BY created_at, kind',
      [orderId],
    );
    return { payments: p.rows[0].n, operations: o.rows.map((r) => r.kind as string) };
  }

  it('authorizes once per order: a repeat returns the same payment', async () => {
    const orderId = randomUUID();
    const customerId = randomUUID();
    const first = await authorize(orderId, customerId);
    const second = await authorize(orderId, customerId);
    expect(first.payment).toMatchObject({
      orderId,
      customerId,
      status: PaymentStatus.AUTHORIZED,
      amount: eur(4200),
      capturedAmount: eur(0),
      paymentMethod: 'card',
    });
    expect(second.payment).toEqual(first.payment);
    expect(await rows(orderId)).toEqual({ payments: 1, operations: ['authorize'] });
    await authorized.waitFor((e) => e.data.orderId === orderId);
  });

  it('authorizes once under 10 concurrent calls for the same order', async () => {
    const orderId = randomUUID();
    const customerId = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => authorize(orderId, customerId)),
    );
    const ids = new Set(results.map((r) => r.payment?.paymentId));
    expect(ids.size).toBe(1);
    expect(results.every((r) => r.payment?.status === PaymentStatus.AUTHORIZED)).toBe(true);
    expect(await rows(orderId)).toEqual({ payments: 1, operations: ['authorize'] });
    const events = await authorized.waitFor((e) => e.data.orderId === orderId);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(authorized.events.filter((e) => e.data.orderId === orderId)).toHaveLength(events.length);
    expect(events).toHaveLength(1);
  });

  it('refuses another amount for an order that already has a payment', async () => {
    const orderId = randomUUID();
    const customerId = randomUUID();
    await authorize(orderId, customerId, 1000);
    expect(await codeOf(authorize(orderId, customerId, 1001))).toBe(GrpcStatus.FAILED_PRECONDITION);
    expect(await codeOf(authorize(orderId, randomUUID(), 1000))).toBe(
      GrpcStatus.FAILED_PRECONDITION,
    );
    expect(await rows(orderId)).toEqual({ payments: 1, operations: ['authorize'] });
  });

  it('captures once: a repeated capture returns the captured payment', async () => {
    const orderId = randomUUID();
    await authorize(orderId, randomUUID(), 2599);
    const [a, b] = await Promise.all([
      payment.rpc.capturePayment({ orderId }),
      payment.rpc.capturePayment({ orderId }),
    ]);
    const c = await payment.rpc.capturePayment({ orderId });
    for (const r of [a, b, c]) {
      expect(r.payment).toMatchObject({
        status: PaymentStatus.CAPTURED,
        capturedAmount: eur(2599),
      });
    }
    expect(await rows(orderId)).toEqual({ payments: 1, operations: ['authorize', 'capture'] });
    await captured.waitFor((e) => e.data.orderId === orderId);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(captured.events.filter((e) => e.data.orderId === orderId)).toHaveLength(1);
  });

  it('refunds a captured payment in full, once', async () => {
    const orderId = randomUUID();
    await authorize(orderId, randomUUID(), 1500);
    await payment.rpc.capturePayment({ orderId });
    const first = await payment.rpc.refundPayment({ orderId, reason: 'customer_request' });
    const again = await payment.rpc.refundPayment({ orderId, reason: 'customer_request' });
    expect(first.payment).toMatchObject({
      status: PaymentStatus.REFUNDED,
      capturedAmount: eur(1500),
      refundedAmount: eur(1500),
      refundReason: 'customer_request',
    });
    expect(again.payment).toEqual(first.payment);
    expect(await codeOf(payment.rpc.capturePayment({ orderId }))).toBe(
      GrpcStatus.FAILED_PRECONDITION,
    );
    expect(await rows(orderId)).toEqual({
      payments: 1,
      operations: ['authorize', 'capture', 'refund'],
    });
    const [event] = await refunded.waitFor((e) => e.data.orderId === orderId);
    expect(event?.data).toMatchObject({ kind: 'REFUND', amount: eur(1500) });
  });

  it('voids an authorized payment (no money moved), once', async () => {
    const orderId = randomUUID();
    await authorize(orderId, randomUUID(), 990);
    const first = await payment.rpc.refundPayment({ orderId, reason: 'out_of_stock' });
    const again = await payment.rpc.refundPayment({ orderId, reason: 'out_of_stock' });
    expect(first.payment).toMatchObject({
      status: PaymentStatus.VOIDED,
      capturedAmount: eur(0),
      refundedAmount: eur(0),
    });
    expect(again.payment).toEqual(first.payment);
    expect(await codeOf(payment.rpc.capturePayment({ orderId }))).toBe(
      GrpcStatus.FAILED_PRECONDITION,
    );
    expect(await rows(orderId)).toEqual({ payments: 1, operations: ['authorize', 'void'] });
    const [event] = await refunded.waitFor((e) => e.data.orderId === orderId);
    expect(event?.data).toMatchObject({ kind: 'VOID', amount: eur(990) });
  });

  it('answers NOT_FOUND for an order without a payment (nothing to compensate)', async () => {
    const orderId = randomUUID();
    expect(await codeOf(payment.rpc.refundPayment({ orderId, reason: 'x' }))).toBe(
      GrpcStatus.NOT_FOUND,
    );
    expect(await codeOf(payment.rpc.capturePayment({ orderId }))).toBe(GrpcStatus.NOT_FOUND);
    expect(await codeOf(payment.rpc.getPayment({ orderId }))).toBe(GrpcStatus.NOT_FOUND);
  });

  it('rejects malformed requests with INVALID_ARGUMENT', async () => {
    const customerId = randomUUID();
    expect(await codeOf(authorize('not-a-uuid', customerId))).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(await codeOf(authorize(randomUUID(), customerId, 0))).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(
      await codeOf(
        payment.rpc.authorizePayment({
          orderId: randomUUID(),
          customerId,
          amount: null,
          paymentMethod: 'card',
        }),
      ),
    ).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(await codeOf(payment.rpc.getPayment({ orderId: 'nope' }))).toBe(
      GrpcStatus.INVALID_ARGUMENT,
    );
  });

  (TEST_CONTROLS ? describe.skip : describe)('without test controls (dev profile)', () => {
    it('refuses ConfigureTestControls and never declines', async () => {
      expect(
        await codeOf(
          payment.rpc.configureTestControls({ declineMethods: [], latencyMs: 0, errorRateBps: 0 }),
        ),
      ).toBe(GrpcStatus.FAILED_PRECONDITION);
      const { payment: p } = await authorize(randomUUID(), randomUUID(), 100, 'declined_card');
      expect(p?.status).toBe(PaymentStatus.AUTHORIZED);
    });
  });

  (TEST_CONTROLS ? describe : describe.skip)('with test controls (test profile)', () => {
    const reset = () =>
      payment.rpc.configureTestControls({ declineMethods: [], latencyMs: 0, errorRateBps: 0 });

    beforeEach(reset);
    afterAll(reset);

    it('declines methods starting with "declined" as a normal response, recorded once', async () => {
      const declined = await new EventTap('payment.declined.v1').start();
      try {
        const orderId = randomUUID();
        const customerId = randomUUID();
        const first = await authorize(orderId, customerId, 700, 'declined_card');
        const again = await authorize(orderId, customerId, 700, 'declined_card');
        expect(first.payment).toMatchObject({
          status: PaymentStatus.DECLINED,
          declineReason: 'declined_by_test_control',
        });
        expect(again.payment).toEqual(first.payment);
        expect(await codeOf(payment.rpc.capturePayment({ orderId }))).toBe(
          GrpcStatus.FAILED_PRECONDITION,
        );
        // Nothing to give back: returned unchanged, no event.
        const refund = await payment.rpc.refundPayment({ orderId, reason: 'x' });
        expect(refund.payment?.status).toBe(PaymentStatus.DECLINED);
        expect(await rows(orderId)).toEqual({ payments: 1, operations: ['authorize'] });
        const [event] = await declined.waitFor((e) => e.data.orderId === orderId);
        expect(event?.data.reason).toBe('declined_by_test_control');
      } finally {
        await declined.stop();
      }
    });

    it('declines the configured methods', async () => {
      const { controls } = await payment.rpc.configureTestControls({
        declineMethods: ['e2e_blocked_card'],
        latencyMs: 0,
        errorRateBps: 0,
      });
      expect(controls).toEqual({
        declineMethods: ['e2e_blocked_card'],
        latencyMs: 0,
        errorRateBps: 0,
      });
      const blocked = await authorize(randomUUID(), randomUUID(), 100, 'e2e_blocked_card');
      const fine = await authorize(randomUUID(), randomUUID(), 100, 'card');
      expect(blocked.payment?.status).toBe(PaymentStatus.DECLINED);
      expect(fine.payment?.status).toBe(PaymentStatus.AUTHORIZED);
    });

    it('fails with UNAVAILABLE before recording anything, so a retry is safe', async () => {
      const orderId = randomUUID();
      const customerId = randomUUID();
      await payment.rpc.configureTestControls({
        declineMethods: [],
        latencyMs: 0,
        errorRateBps: 10_000,
      });
      expect(await codeOf(authorize(orderId, customerId))).toBe(GrpcStatus.UNAVAILABLE);
      expect(await rows(orderId)).toEqual({ payments: 0, operations: [] });
      await reset();
      expect((await authorize(orderId, customerId)).payment?.status).toBe(PaymentStatus.AUTHORIZED);

      await payment.rpc.configureTestControls({
        declineMethods: [],
        latencyMs: 0,
        errorRateBps: 10_000,
      });
      expect(await codeOf(payment.rpc.capturePayment({ orderId }))).toBe(GrpcStatus.UNAVAILABLE);
      expect((await payment.rpc.getPayment({ orderId })).payment?.status).toBe(
        PaymentStatus.AUTHORIZED,
      );
      await reset();
      expect((await payment.rpc.capturePayment({ orderId })).payment?.status).toBe(
        PaymentStatus.CAPTURED,
      );
      expect(await rows(orderId)).toEqual({ payments: 1, operations: ['authorize', 'capture'] });
    });

    it('adds latency; a call whose deadline passed records nothing', async () => {
      await payment.rpc.configureTestControls({
        declineMethods: [],
        latencyMs: 400,
        errorRateBps: 0,
      });
      const slowId = randomUUID();
      const started = Date.now();
      await authorize(slowId, randomUUID());
      expect(Date.now() - started).toBeGreaterThanOrEqual(380);

      const timedOut = randomUUID();
      expect(await codeOf(authorize(timedOut, randomUUID(), 4200, 'card', 150))).toBe(
        GrpcStatus.DEADLINE_EXCEEDED,
      );
      await new Promise((r) => setTimeout(r, 600));
      expect(await rows(timedOut)).toEqual({ payments: 0, operations: [] });
    });

    it('validates the controls', async () => {
      expect(
        await codeOf(
          payment.rpc.configureTestControls({
            declineMethods: [],
            latencyMs: 0,
            errorRateBps: 10_001,
          }),
        ),
      ).toBe(GrpcStatus.INVALID_ARGUMENT);
    });
  });
});
