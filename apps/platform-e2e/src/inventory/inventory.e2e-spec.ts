/**
 * The inventory service below the gateway (its internal gRPC API, as the order service uses it):
 * no oversell under concurrency, all-or-nothing reservations, idempotency per order, the
 * commit / release / restock / expiry transitions and their counters, stock.released.v1.
 */
import { randomUUID } from 'node:crypto';
import {
  type InventoryServiceClient,
  ReservationStatus,
  type StockLevel,
} from '@ordermesh/contracts';
import { waitFor } from '@ordermesh/testing';
import { connection } from '../support/connection-env';
import { EventTap } from '../support/event-tap';
import { type DirectClient, GrpcStatus, codeOf, directClient } from '../support/grpc';

describe('inventory service', () => {
  let client: DirectClient<InventoryServiceClient>;
  let released: EventTap<'stock.released.v1'>;
  /** Every product a test stocked, with the total it was given (the invariant's expectation). */
  const stocked = new Map<string, number>();

  const inventory = () => client.rpc;

  async function stock(quantity: number, productId: string = randomUUID()): Promise<string> {
    const { level } = await inventory().setStock({ productId, quantity });
    expect(level).toMatchObject({ productId, available: quantity });
    stocked.set(productId, quantity + (level!.reserved + level!.sold));
    return productId;
  }

  async function level(productId: string): Promise<StockLevel> {
    const { levels } = await inventory().getStockLevels({ productIds: [productId] });
    expect(levels).toHaveLength(1);
    return levels[0]!;
  }

  const reserve = (
    orderId: string,
    lines: { productId: string; quantity: number }[],
    ttlSeconds = 0,
  ) =>
    inventory()
      .reserveStock({ orderId, lines, ttlSeconds })
      .then((response) => response.reservation!);

  beforeAll(async () => {
    client = directClient<InventoryServiceClient>(
      'inventory',
      connection.services['inventory']!.grpc!,
    );
    released = await new EventTap('stock.released.v1').start();
  });

  afterAll(async () => {
    // The invariant: available + reserved + sold changes only through SetStock, never negative.
    if (stocked.size) {
      const { levels } = await inventory().getStockLevels({ productIds: [...stocked.keys()] });
      for (const l of levels) {
        expect({ productId: l.productId, total: l.available + l.reserved + l.sold }).toEqual({
          productId: l.productId,
          total: stocked.get(l.productId),
        });
        expect(Math.min(l.available, l.reserved, l.sold)).toBeGreaterThanOrEqual(0);
      }
    }
    await released?.stop();
    client?.close();
  });

  it('never oversells: 50 concurrent single-unit reservations of 10 units', async () => {
    const productId = await stock(10);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => reserve(randomUUID(), [{ productId, quantity: 1 }])),
    );
    const byStatus = (s: ReservationStatus) => results.filter((r) => r.status === s);
    expect(byStatus(ReservationStatus.RESERVED)).toHaveLength(10);
    expect(byStatus(ReservationStatus.REJECTED)).toHaveLength(40);
    for (const rejected of byStatus(ReservationStatus.REJECTED)) {
      expect(rejected.reservationId).toBe('');
      expect(rejected.shortages).toEqual([{ productId, requested: 1, available: 0 }]);
    }
    expect(await level(productId)).toMatchObject({ available: 0, reserved: 10, sold: 0 });
  });

  it('reserves all lines or none, reporting the shortages', async () => {
    const plenty = await stock(5);
    const scarce = await stock(1);
    const unknown = randomUUID(); // never stocked: 0 available
    const rejected = await reserve(randomUUID(), [
      { productId: plenty, quantity: 2 },
      { productId: scarce, quantity: 2 },
      { productId: unknown, quantity: 1 },
    ]);
    expect(rejected.status).toBe(ReservationStatus.REJECTED);
    expect(rejected.shortages).toEqual(
      expect.arrayContaining([
        { productId: scarce, requested: 2, available: 1 },
        { productId: unknown, requested: 1, available: 0 },
      ]),
    );
    expect(rejected.shortages).toHaveLength(2);
    expect(await level(plenty)).toMatchObject({ available: 5, reserved: 0 });
    expect(await level(scarce)).toMatchObject({ available: 1, reserved: 0 });

    const { levels, missingProductIds } = await inventory().getStockLevels({
      productIds: [plenty, unknown, plenty],
    });
    expect(levels.map((l) => l.productId)).toEqual([plenty]);
    expect(missingProductIds).toEqual([unknown]);
  });

  it('is idempotent per order id, also under concurrent repeats', async () => {
    const productId = await stock(5);
    const orderId = randomUUID();
    const first = await reserve(orderId, [{ productId, quantity: 2 }], 600);
    expect(first).toMatchObject({
      orderId,
      status: ReservationStatus.RESERVED,
      lines: [{ productId, quantity: 2 }],
    });
    expect(await reserve(orderId, [{ productId, quantity: 2 }], 600)).toEqual(first);

    const concurrentOrder = randomUUID();
    const repeats = await Promise.all(
      Array.from({ length: 10 }, () => reserve(concurrentOrder, [{ productId, quantity: 1 }])),
    );
    expect(new Set(repeats.map((r) => r.reservationId)).size).toBe(1);
    expect(repeats.every((r) => r.status === ReservationStatus.RESERVED)).toBe(true);
    expect(await level(productId)).toMatchObject({ available: 2, reserved: 3, sold: 0 });
  });

  it('does not store a REJECTED result: a retry re-evaluates', async () => {
    const productId = await stock(1);
    const orderId = randomUUID();
    expect((await reserve(orderId, [{ productId, quantity: 3 }])).status).toBe(
      ReservationStatus.REJECTED,
    );
    await stock(3, productId);
    expect((await reserve(orderId, [{ productId, quantity: 3 }])).status).toBe(
      ReservationStatus.RESERVED,
    );
    expect(await level(productId)).toMatchObject({ available: 0, reserved: 3 });
  });

  it('commits, then restocks, idempotently, moving the counters', async () => {
    const productId = await stock(4);
    const orderId = randomUUID();
    const reservation = await reserve(orderId, [{ productId, quantity: 3 }]);

    const committed = (await inventory().commitReservation({ orderId })).reservation!;
    expect(committed).toMatchObject({
      reservationId: reservation.reservationId,
      status: ReservationStatus.COMMITTED,
    });
    expect(await level(productId)).toMatchObject({ available: 1, reserved: 0, sold: 3 });
    expect((await inventory().commitReservation({ orderId })).reservation!.status).toBe(
      ReservationStatus.COMMITTED,
    );
    expect(await level(productId)).toMatchObject({ available: 1, reserved: 0, sold: 3 });

    expect(await codeOf(inventory().releaseReservation({ orderId, reason: 'x' }))).toBe(
      GrpcStatus.FAILED_PRECONDITION,
    );

    const restocked = (await inventory().restockOrder({ orderId, reason: 'returned' }))
      .reservation!;
    expect(restocked).toMatchObject({
      status: ReservationStatus.RESTOCKED,
      releaseReason: 'returned',
    });
    expect(await level(productId)).toMatchObject({ available: 4, reserved: 0, sold: 0 });
    expect((await inventory().restockOrder({ orderId, reason: 'again' })).reservation).toEqual(
      restocked,
    );
    expect(await level(productId)).toMatchObject({ available: 4, reserved: 0, sold: 0 });
    expect(await codeOf(inventory().commitReservation({ orderId }))).toBe(
      GrpcStatus.FAILED_PRECONDITION,
    );

    const [event] = await released.waitFor((e) => e.data.orderId === orderId);
    expect(event!.data).toMatchObject({
      reservationId: reservation.reservationId,
      cause: 'RESTOCKED',
      reason: 'returned',
      lines: [{ productId, quantity: 3 }],
    });
  });

  it('releases idempotently and refuses to commit or restock a released reservation', async () => {
    const productId = await stock(2);
    const orderId = randomUUID();
    await reserve(orderId, [{ productId, quantity: 2 }]);
    expect(await level(productId)).toMatchObject({ available: 0, reserved: 2 });

    const first = (await inventory().releaseReservation({ orderId, reason: 'payment declined' }))
      .reservation!;
    expect(first).toMatchObject({
      status: ReservationStatus.RELEASED,
      releaseReason: 'payment declined',
    });
    expect(await level(productId)).toMatchObject({ available: 2, reserved: 0, sold: 0 });
    expect(
      (await inventory().releaseReservation({ orderId, reason: 'again' })).reservation,
    ).toEqual(first);
    expect(await level(productId)).toMatchObject({ available: 2, reserved: 0 });
    expect(await codeOf(inventory().commitReservation({ orderId }))).toBe(
      GrpcStatus.FAILED_PRECONDITION,
    );
    expect(await codeOf(inventory().restockOrder({ orderId, reason: '' }))).toBe(
      GrpcStatus.FAILED_PRECONDITION,
    );
    // The repeat of ReserveStock returns the released reservation; it does not reserve again.
    expect((await reserve(orderId, [{ productId, quantity: 2 }])).status).toBe(
      ReservationStatus.RELEASED,
    );

    const events = await released.waitFor((e) => e.data.orderId === orderId);
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ cause: 'RELEASED', reason: 'payment declined' });
  });

  it('expires reservations whose TTL ran out', async () => {
    const productId = await stock(3);
    const orderId = randomUUID();
    const reservation = await reserve(orderId, [{ productId, quantity: 2 }], 1);
    expect(Date.parse(reservation.expiresAt) - Date.parse(reservation.createdAt)).toBe(1_000);

    await waitFor(async () => ((await level(productId)).reserved === 0 ? true : undefined), {
      timeoutMs: 20_000,
      what: 'the sweeper to expire the reservation',
    });
    expect(await level(productId)).toMatchObject({ available: 3, reserved: 0, sold: 0 });
    const expired = await reserve(orderId, [{ productId, quantity: 2 }]);
    expect(expired).toMatchObject({
      reservationId: reservation.reservationId,
      status: ReservationStatus.EXPIRED,
      releaseReason: 'expired',
    });
    expect(await codeOf(inventory().commitReservation({ orderId }))).toBe(
      GrpcStatus.FAILED_PRECONDITION,
    );
    const [event] = await released.waitFor((e) => e.data.orderId === orderId);
    expect(event!.data).toMatchObject({ cause: 'EXPIRED', lines: [{ productId, quantity: 2 }] });
  });

  it('answers NOT_FOUND for an order without a reservation', async () => {
    const orderId = randomUUID();
    expect(await codeOf(inventory().commitReservation({ orderId }))).toBe(GrpcStatus.NOT_FOUND);
    expect(await codeOf(inventory().releaseReservation({ orderId, reason: '' }))).toBe(
      GrpcStatus.NOT_FOUND,
    );
    expect(await codeOf(inventory().restockOrder({ orderId, reason: '' }))).toBe(
      GrpcStatus.NOT_FOUND,
    );
  });

  it('refuses malformed requests with INVALID_ARGUMENT before touching stock', async () => {
    const productId = await stock(5);
    const line = { productId, quantity: 1 };
    const invalid = [
      inventory().reserveStock({ orderId: 'not-a-uuid', lines: [line], ttlSeconds: 0 }),
      inventory().reserveStock({ orderId: randomUUID(), lines: [], ttlSeconds: 0 }),
      inventory().reserveStock({ orderId: randomUUID(), lines: [line, line], ttlSeconds: 0 }),
      inventory().reserveStock({
        orderId: randomUUID(),
        lines: [{ productId, quantity: 0 }],
        ttlSeconds: 0,
      }),
      inventory().reserveStock({
        orderId: randomUUID(),
        lines: [{ productId, quantity: 1001 }],
        ttlSeconds: 0,
      }),
      inventory().reserveStock({ orderId: randomUUID(), lines: [line], ttlSeconds: -1 }),
      inventory().setStock({ productId, quantity: -1 }),
      inventory().setStock({ productId: 'nope', quantity: 1 }),
      inventory().getStockLevels({ productIds: ['nope'] }),
      inventory().getStockLevels({ productIds: Array.from({ length: 101 }, () => randomUUID()) }),
    ];
    for (const call of invalid) expect(await codeOf(call)).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(await level(productId)).toMatchObject({ available: 5, reserved: 0, sold: 0 });
  });
});
