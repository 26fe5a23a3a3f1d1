/**
 * The pricing service: SetPrice / GetPrices over its internal gRPC API, price.changed.v1 through
 * the outbox, and prices and stock in the gateway's product view.
 */
import { randomUUID } from 'node:crypto';
import { type PricingServiceClient } from '@ordermesh/contracts';
import { waitFor } from '@ordermesh/testing';
import { connection } from '../support/connection-env';
import { EventTap } from '../support/event-tap';
import {
  admin,
  anonymous,
  createProduct,
  productView,
  type ProductView,
} from '../support/fixtures';
import { type DirectClient, GrpcStatus, codeOf, directClient } from '../support/grpc';

const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });

describe('pricing service', () => {
  let client: DirectClient<PricingServiceClient>;
  let changes: EventTap<'price.changed.v1'>;

  beforeAll(async () => {
    client = directClient<PricingServiceClient>('pricing', connection.services['pricing']!.grpc!);
    changes = await new EventTap('price.changed.v1').start();
  });

  afterAll(async () => {
    await changes?.stop();
    client?.close();
  });

  it('stores the list price and returns the discounted unit price', async () => {
    const productId = randomUUID();
    const never = randomUUID();
    const { price } = await client.rpc.setPrice({
      productId,
      listPrice: eur(1999),
      discountBps: 1500,
    });
    // 1999 * 0.85 = 1699.15 -> 1699
    expect(price).toMatchObject({
      productId,
      listPrice: eur(1999),
      discountBps: 1500,
      unitPrice: eur(1699),
    });
    const read = await client.rpc.getPrices({ productIds: [productId, never, productId] });
    expect(read.prices).toEqual([price]);
    expect(read.missingProductIds).toEqual([never]);
  });

  it('publishes price.changed.v1 for every change, and nothing when nothing changed', async () => {
    const productId = randomUUID();
    await client.rpc.setPrice({ productId, listPrice: eur(1000), discountBps: 0 });
    await client.rpc.setPrice({ productId, listPrice: eur(1000), discountBps: 2500 });
    await client.rpc.setPrice({ productId, listPrice: eur(1000), discountBps: 2500 }); // unchanged
    await client.rpc.setPrice({ productId, listPrice: eur(1200), discountBps: 2500 });

    const events = await changes.waitFor((e) => e.data.productId === productId, 3);
    // Keyed by product id: one partition, in order. The unchanged call would sit between 2 and 3.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(changes.events.filter((e) => e.data.productId === productId)).toHaveLength(3);
    expect(events.map((e) => e.key)).toEqual([productId, productId, productId]);
    expect(events.map((e) => e.source)).toEqual(['pricing', 'pricing', 'pricing']);
    expect(events[0]!.data).toEqual({
      productId,
      listPrice: eur(1000),
      discountBps: 0,
      unitPrice: eur(1000),
      changedAt: expect.any(String),
    });
    expect(events[1]!.data).toMatchObject({ unitPrice: eur(750), previousUnitPrice: eur(1000) });
    expect(events[2]!.data).toMatchObject({
      listPrice: eur(1200),
      unitPrice: eur(900),
      previousUnitPrice: eur(750),
    });
  });

  it('refuses invalid prices with INVALID_ARGUMENT', async () => {
    const productId = randomUUID();
    const invalid = [
      client.rpc.setPrice({ productId, listPrice: null, discountBps: 0 }),
      client.rpc.setPrice({
        productId,
        listPrice: { amountMinor: 1, currency: 'eur' },
        discountBps: 0,
      }),
      client.rpc.setPrice({ productId, listPrice: eur(-5), discountBps: 0 }),
      client.rpc.setPrice({ productId, listPrice: eur(5), discountBps: 10_001 }),
      client.rpc.setPrice({ productId: 'nope', listPrice: eur(5), discountBps: 0 }),
      client.rpc.getPrices({ productIds: ['nope'] }),
    ];
    for (const call of invalid) expect(await codeOf(call)).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect((await client.rpc.getPrices({ productIds: [productId] })).missingProductIds).toEqual([
      productId,
    ]);
  });

  it('shows price and stock in the product view, set by an admin through the gateway', async () => {
    const adminClient = await admin();
    const product = await createProduct(adminClient, {
      stock: 7,
      amountMinor: 2500,
      discountBps: 2000,
    });

    const view = await productView<ProductView & { price: { discountBps: number } }>(product.id);
    expect(view).toMatchObject({
      price: { unitPrice: eur(2000), listPrice: eur(2500), discountBps: 2000, available: true },
      stock: { available: 7, status: 'in_stock' },
      degraded: false,
    });

    const repriced = await adminClient.put(`/api/v1/prices/${product.id}`, {
      listPrice: eur(3000),
      discountBps: 0,
    });
    expect(repriced.status).toBe(200);
    expect(repriced.body).toMatchObject({ unitPrice: eur(3000) });
    const restocked = await adminClient.put(`/api/v1/inventory/${product.id}`, { quantity: 0 });
    expect(restocked.status).toBe(200);
    expect(restocked.body).toMatchObject({ productId: product.id, available: 0 });

    // The product service may cache views until price.changed.v1 invalidates them.
    await waitFor(
      async () => {
        const again = await productView(product.id);
        return again.price.unitPrice.amountMinor === 3000 && again.stock.status === 'out_of_stock'
          ? true
          : undefined;
      },
      { timeoutMs: 15_000, what: 'the new price and stock in the product view' },
    );
    const customer = (await anonymous().newCustomer()).client;
    expect((await customer.put(`/api/v1/prices/${product.id}`, { listPrice: eur(1) })).status).toBe(
      403,
    );
  });
});
