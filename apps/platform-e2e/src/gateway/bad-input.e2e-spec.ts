import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { ApiClient } from '@ordermesh/testing';
import { connection } from '../support/connection-env';
import {
  admin,
  anonymous,
  createProduct,
  productView,
  type ProductView,
} from '../support/fixtures';

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
}

/**
 * Bad input at the public edge gets a clear 4xx in the one error shape and writes nothing. The
 * database is checked directly: the order count of the customer must not move.
 */
describe('bad input at the gateway', () => {
  let customer: ApiClient;
  let customerId: string;
  let product: ProductView;
  let orders: Client;

  beforeAll(async () => {
    ({ client: customer, userId: customerId } = await anonymous().newCustomer('Bad Input'));
    product = await createProduct(await admin(), { stock: 100, amountMinor: 500 });
    orders = new Client({ connectionString: connection.postgres.databases['order']!.url });
    await orders.connect();
  });
  afterAll(() => orders.end());

  const orderCount = async () =>
    Number(
      (await orders.query('SELECT count(*) AS n FROM orders WHERE customer_id = $1', [customerId]))
        .rows[0].n,
    );
  const key = () => `bad-input-${randomUUID()}`;
  const line = (overrides: object = {}) => ({ productId: product.id, quantity: 1, ...overrides });

  function expectClear4xx(response: { status: number; body: unknown }, status: number) {
    expect(response.status).toBe(status);
    const body = response.body as ErrorBody;
    expect(body).toMatchObject({ statusCode: status, error: expect.any(String) });
    expect(body.message.length).toBeGreaterThan(0);
  }

  it.each([
    ['an unknown field', () => ({ items: [line()], paymentMethod: 'card', coupon: 'FREE' })],
    ['an unknown field in a line', () => ({ items: [line({ price: 1 })], paymentMethod: 'card' })],
    ['no items', () => ({ items: [], paymentMethod: 'card' })],
    ['missing items', () => ({ paymentMethod: 'card' })],
    ['a missing payment method', () => ({ items: [line()] })],
    ['quantity zero', () => ({ items: [line({ quantity: 0 })], paymentMethod: 'card' })],
    ['a negative quantity', () => ({ items: [line({ quantity: -3 })], paymentMethod: 'card' })],
    ['a huge quantity', () => ({ items: [line({ quantity: 1e12 })], paymentMethod: 'card' })],
    ['a fractional quantity', () => ({ items: [line({ quantity: 1.5 })], paymentMethod: 'card' })],
    [
      'a malformed product id',
      () => ({ items: [line({ productId: 'x' })], paymentMethod: 'card' }),
    ],
    [
      'too many lines',
      () => ({ items: Array.from({ length: 51 }, () => line()), paymentMethod: 'card' }),
    ],
    ['a malformed payment method', () => ({ items: [line()], paymentMethod: 'DROP TABLE' })],
  ])('rejects an order with %s (400) and writes nothing', async (_case, body) => {
    const before = await orderCount();
    expectClear4xx(
      await customer.post('/api/v1/orders', body(), { 'idempotency-key': key() }),
      400,
    );
    expect(await orderCount()).toBe(before);
  });

  it('requires an Idempotency-Key', async () => {
    const before = await orderCount();
    expectClear4xx(
      await customer.post('/api/v1/orders', { items: [line()], paymentMethod: 'card' }),
      400,
    );
    expect(await orderCount()).toBe(before);
  });

  it('answers 404 for an unknown product and writes nothing', async () => {
    const before = await orderCount();
    const response = await customer.post(
      '/api/v1/orders',
      { items: [line({ productId: randomUUID() })], paymentMethod: 'card' },
      { 'idempotency-key': key() },
    );
    expectClear4xx(response, 404);
    expect(await orderCount()).toBe(before);
  });

  it('answers 409 when stock is short, with the shortage, and reserves nothing', async () => {
    const scarce = await createProduct(await admin(), { stock: 2, amountMinor: 700 });
    const response = await customer.post(
      '/api/v1/orders',
      { items: [{ productId: scarce.id, quantity: 3 }], paymentMethod: 'card' },
      { 'idempotency-key': key() },
    );
    expectClear4xx(response, 409);
    expect((await productView(scarce.id)).stock.available).toBe(2);
  });

  it('rejects malformed JSON (400) and an oversized body (413)', async () => {
    expectClear4xx(
      await customer.request('POST', '/api/v1/orders', {
        rawBody: '{"items": [',
        headers: { 'idempotency-key': key() },
      }),
      400,
    );
    const huge = JSON.stringify({
      items: [line()],
      paymentMethod: 'card',
      pad: 'x'.repeat(200_000),
    });
    expectClear4xx(
      await customer.request('POST', '/api/v1/orders', {
        rawBody: huge,
        headers: { 'idempotency-key': key() },
      }),
      413,
    );
  });

  // Tokens that are well-formed but wrongly signed, issued or expired: edge.e2e-spec.ts.
  it.each([
    ['no token', undefined],
    ['a garbage token', 'garbage'],
  ])('answers 401 to %s', async (_case, token) => {
    const client = token ? anonymous().withToken(token) : anonymous();
    expectClear4xx(await client.get('/api/v1/orders'), 401);
  });

  it('rejects malformed ids in paths (400)', async () => {
    expectClear4xx(await customer.get('/api/v1/orders/123'), 400);
    expectClear4xx(await anonymous().get('/api/v1/products/not-a-uuid'), 400);
  });

  it("never shows or cancels another customer's order (404)", async () => {
    const placed = await customer.post<{ id: string }>(
      '/api/v1/orders',
      { items: [line()], paymentMethod: 'card' },
      { 'idempotency-key': key() },
    );
    expect(placed.status).toBe(201);
    const { client: other } = await anonymous().newCustomer('Other Customer');
    expectClear4xx(await other.get(`/api/v1/orders/${placed.body.id}`), 404);
    expectClear4xx(await other.post(`/api/v1/orders/${placed.body.id}/cancel`, {}), 404);
    expectClear4xx(await other.get(`/api/v1/orders/${placed.body.id}/shipment`), 404);
    const mine = await customer.get<{ id: string; status: string }>(
      `/api/v1/orders/${placed.body.id}`,
    );
    expect(mine.body.status).not.toBe('cancelled');
  });
});
