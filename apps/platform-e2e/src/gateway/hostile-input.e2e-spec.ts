import { randomInt, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Client } from 'pg';
import type {
  OrderServiceClient,
  ProductServiceClient,
  UserServiceClient,
} from '@ordermesh/contracts';
import { ApiClient, type ApiResponse } from '@ordermesh/testing';
import { grpcAddress } from '../support/addresses';
import { connection } from '../support/connection-env';
import { admin, createProduct, type ProductView } from '../support/fixtures';
import { GrpcStatus, directClient } from '../support/grpc';

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

/** This file's own client address (the gateway's per-IP limit is shared by the suites). */
const address = `198.${randomInt(18, 20)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
const caller = () => new ApiClient(process.env['E2E_GATEWAY_URL']!).from(address);

function expect4xx(response: ApiResponse, status: number): void {
  expect({ status: response.status, body: response.body }).toEqual({
    status,
    body: expect.objectContaining({
      statusCode: status,
      error: expect.any(String),
      message: expect.any(String),
    }),
  });
  expect((response.body as ErrorBody).message.length).toBeGreaterThan(0);
}

/** A page token as the services encode them (base64url JSON), holding a cursor of our choosing. */
const pageToken = (query: string, cursor: Record<string, unknown>) =>
  Buffer.from(JSON.stringify({ v: 1, q: query, c: cursor }), 'utf8').toString('base64url');

/**
 * Issue 13, categories 1-3: input the edge used to pass on to a service that failed on it (a 500),
 * bodies the parser failed on (a 500), and bad requests opening breakers for everyone. Every case
 * is a 4xx in the one error shape, nothing is written, and the services stay reachable.
 */
describe('hostile input at the gateway', () => {
  let users: Client;
  let orders: Client;
  let customer: ApiClient;
  let customerId: string;
  let product: ProductView;

  beforeAll(async () => {
    users = new Client({ connectionString: connection.postgres.databases['user']!.url });
    orders = new Client({ connectionString: connection.postgres.databases['order']!.url });
    await Promise.all([users.connect(), orders.connect()]);
    ({ client: customer, userId: customerId } = await caller().newCustomer('Hostile Input'));
    product = await createProduct(await admin(), { stock: 100, amountMinor: 500 });
  });
  afterAll(() => Promise.all([users.end(), orders.end()]));

  const userCount = async (email: string) =>
    Number(
      (await users.query('SELECT count(*) AS n FROM users WHERE email = $1', [email.toLowerCase()]))
        .rows[0].n,
    );
  const orderCount = async () =>
    Number(
      (await orders.query('SELECT count(*) AS n FROM orders WHERE customer_id = $1', [customerId]))
        .rows[0].n,
    );

  describe('one rule per field, at the edge and in the owning service', () => {
    it.each([
      ['an internationalised email', 'jürgen-' + randomUUID() + '@example.de'],
      ['an internationalised domain', `ada-${randomUUID()}@exämple.de`],
      ['a quoted local part', `"ada ${randomUUID()}"@example.com`],
      ['RFC 5322 special characters', `a!#$%&*=?^{|}~-${randomUUID()}@example.com`],
      ['a NUL in the email', `ada-${randomUUID()}\u0000@example.com`],
    ])('refuses a registration with %s (400), stores no user', async (_case, email) => {
      expect4xx(
        await caller().post('/api/v1/auth/register', {
          email,
          password: 'long enough password',
          name: 'Ada',
        }),
        400,
      );
      expect(await userCount(email.replace('\u0000', ''))).toBe(0);
    });

    it.each([
      ['the name', { name: 'Ada\u0000Lovelace' }],
      ['the password', { password: 'long\u0000enough' }],
      ['the name (escape sequence)', { name: 'Ada\u001b[2J' }],
    ])('refuses a registration with a control character in %s (400)', async (_case, field) => {
      const email = `hostile-${randomUUID()}@example.com`;
      expect4xx(
        await caller().post('/api/v1/auth/register', {
          email,
          password: 'long enough password',
          name: 'Ada',
          ...field,
        }),
        400,
      );
      expect(await userCount(email)).toBe(0);
    });

    it('refuses a NUL in a login email (400, not a failed query)', async () => {
      const response = await caller().post('/api/v1/auth/login', {
        email: 'ada\u0000@example.com',
        password: 'whatever',
      });
      expect4xx(response, 400);
    });

    it.each(['recipientName', 'line1', 'line2', 'city', 'region', 'postalCode'])(
      'refuses an order with a NUL in the address field %s (400), writes nothing',
      async (field) => {
        const before = await orderCount();
        const shippingAddress = {
          recipientName: 'Ada',
          line1: 'Main St 1',
          city: 'Berlin',
          postalCode: '10115',
          countryCode: 'DE',
          [field]: 'x\u0000y',
        };
        expect4xx(
          await customer.post(
            '/api/v1/orders',
            {
              items: [{ productId: product.id, quantity: 1 }],
              paymentMethod: 'card',
              shippingAddress,
            },
            { 'idempotency-key': `hostile-${randomUUID()}` },
          ),
          400,
        );
        expect(await orderCount()).toBe(before);
      },
    );

    it('refuses a NUL in a cancel reason (400) and leaves the order as it was', async () => {
      const placed = await customer.post<{ id: string }>(
        '/api/v1/orders',
        { items: [{ productId: product.id, quantity: 1 }], paymentMethod: 'card' },
        { 'idempotency-key': `hostile-${randomUUID()}` },
      );
      expect(placed.status).toBe(201);
      expect4xx(
        await customer.post(`/api/v1/orders/${placed.body.id}/cancel`, { reason: 'no\u0000' }),
        400,
      );
      const row = await orders.query('SELECT cancel_requested FROM orders WHERE id = $1', [
        placed.body.id,
      ]);
      expect(row.rows[0].cancel_requested).toBe(false);
    });

    it.each([
      ['a time that is not one', () => ({ t: '1', id: randomUUID() })],
      ['a SQL fragment as the time', () => ({ t: "now()'; --", id: randomUUID() })],
      ['year zero', () => ({ t: '0000-01-01T00:00:00.000000Z', id: randomUUID() })],
      ['an id that is not a UUID', () => ({ t: '2026-12-03T08:00:00.000000Z', id: 'x' })],
      ['an object as the id', () => ({ t: '2026-12-03T08:00:00.000000Z', id: { $gt: '' } })],
    ])('refuses an order page token whose cursor holds %s (400)', async (_case, cursor) => {
      const token = pageToken(customerId, cursor());
      expect4xx(await customer.get(`/api/v1/orders?pageToken=${token}`), 400);
    });

    it('refuses product and notification page tokens whose cursor does not parse (400)', async () => {
      expect4xx(
        await caller().get(`/api/v1/products?pageToken=${pageToken('', { id: '$where' })}`),
        400,
      );
      expect4xx(
        await customer.get(
          `/api/v1/notifications?pageToken=${pageToken(customerId, { s: 1.5, id: 'x' })}`,
        ),
        400,
      );
    });

    it.each([
      ['a key starting with $', { $where: 'sleep(1000)' }],
      ['a key with a dot', { 'a.b': 'x' }],
      ['an object as a value', { author: { first: 'Donald' } }],
      ['a number as a value', { pages: 672 }],
      ['an array as a value', { tags: ['a', 'b'] }],
      ['a NUL in a value', { author: 'Kn\u0000uth' }],
    ])('refuses product attributes with %s (400), creates nothing', async (_case, attributes) => {
      const category = `hostile-${randomUUID().slice(0, 8)}`;
      const adminClient = (await admin()).from(address);
      expect4xx(
        await adminClient.post('/api/v1/products', {
          name: 'Hostile',
          category,
          attributes,
          basePrice: { amountMinor: 100, currency: 'EUR' },
        }),
        400,
      );
      const listed = await caller().get<{ items: unknown[] }>(
        `/api/v1/products?category=${category}`,
      );
      expect(listed.body.items).toEqual([]);
      expect4xx(await adminClient.patch(`/api/v1/products/${product.id}`, { attributes }), 400);
    });

    it('the owning services refuse the same values themselves (INVALID_ARGUMENT, not INTERNAL)', async () => {
      const user = directClient<UserServiceClient>('user', grpcAddress('user'));
      const productRpc = directClient<ProductServiceClient>('product', grpcAddress('product'));
      const orderRpc = directClient<OrderServiceClient>('order', grpcAddress('order'));
      const codeOf = (call: Promise<unknown>) =>
        call.then(
          () => GrpcStatus.OK,
          (error: { code: number }) => error.code,
        );
      try {
        const email = `a!b-${randomUUID()}@example.com`;
        expect(
          await codeOf(
            user.rpc.registerUser({ email, password: 'long enough', name: 'A', role: 0 }),
          ),
        ).toBe(GrpcStatus.INVALID_ARGUMENT);
        expect(await userCount(email)).toBe(0);
        expect(
          await codeOf(
            user.rpc.registerUser({
              email: `nul-${randomUUID()}@example.com`,
              password: 'long enough',
              name: 'A\u0000',
              role: 0,
            }),
          ),
        ).toBe(GrpcStatus.INVALID_ARGUMENT);
        expect(
          await codeOf(
            productRpc.rpc.createProduct({
              name: 'x',
              description: '',
              category: 'x',
              attributes: { 'a.b': 'x' },
              basePrice: { amountMinor: 1, currency: 'EUR' },
            }),
          ),
        ).toBe(GrpcStatus.INVALID_ARGUMENT);
        expect(
          await codeOf(
            orderRpc.rpc.listOrders({
              customerId,
              pageSize: 10,
              pageToken: pageToken(customerId, { t: '1', id: randomUUID() }),
            }),
          ),
        ).toBe(GrpcStatus.INVALID_ARGUMENT);
      } finally {
        user.close();
        productRpc.close();
        orderRpc.close();
      }
    });
  });

  it('answers request headers over the size limit with 431 and the error shape, not an empty body', async () => {
    // Refused by Node's HTTP parser before any handler (found by the fuzz suite: a 64 KB request id).
    const response = await fetch(`${process.env['E2E_GATEWAY_URL']}/api/v1/products`, {
      headers: { 'x-forwarded-for': address, 'x-request-id': 'x'.repeat(64 * 1024) },
    });
    expect(response.status).toBe(431);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      statusCode: 431,
      error: 'Request Header Fields Too Large',
      message: 'request headers too large',
    });
  });

  describe('bodies the parser cannot read', () => {
    const post = (body: string | Buffer, headers: Record<string, string>) =>
      fetch(`${process.env['E2E_GATEWAY_URL']}/api/v1/auth/register`, {
        method: 'POST',
        body,
        headers: { 'x-forwarded-for': address, ...headers },
      }).then(async (response) => ({
        status: response.status,
        headers: response.headers,
        body: (await response.json()) as unknown,
      }));
    const json = { 'content-type': 'application/json' };
    const valid = () =>
      JSON.stringify({
        email: `parse-${randomUUID()}@example.com`,
        password: 'long enough',
        name: 'P',
      });

    it.each([
      [
        'an unsupported charset',
        () => valid(),
        { 'content-type': 'application/json; charset=koi8-r' },
        415,
      ],
      [
        'an unknown Content-Encoding',
        () => valid(),
        { ...json, 'content-encoding': 'x-snappy' },
        415,
      ],
      [
        'a corrupt gzip body',
        () => Buffer.from('definitely not gzip'),
        { ...json, 'content-encoding': 'gzip' },
        400,
      ],
      [
        'a truncated gzip body',
        () => gzipSync(valid()).subarray(0, 20),
        { ...json, 'content-encoding': 'gzip' },
        400,
      ],
      [
        'JSON nested 7000 deep (a 14 KB request)',
        () => '['.repeat(7_000) + ']'.repeat(7_000),
        json,
        400,
      ],
      [
        'an object nested 2000 deep',
        () => '{"a":'.repeat(2_000) + '1' + '}'.repeat(2_000),
        json,
        400,
      ],
      [
        '5000 keys',
        () =>
          JSON.stringify(Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i]))),
        json,
        400,
      ],
      [
        'a 50 000-character string',
        () => JSON.stringify({ email: 'a@b.de', password: 'x'.repeat(50_000), name: 'P' }),
        json,
        400,
      ],
      ['a NUL in a key', () => '{"email\\u0000":"a@b.de"}', json, 400],
    ])('answers %s with %s in the error shape', async (_case, body, headers, status) => {
      expect4xx(await post(body(), headers), status);
    });

    it('still reads a gzip body that is well formed', async () => {
      const response = await post(gzipSync(valid()), { ...json, 'content-encoding': 'gzip' });
      expect(response.status).toBe(201);
    });
  });

  describe("one caller's bad requests do not open breakers for everyone", () => {
    it('40 failing registrations and crafted page tokens leave login and ordering up', async () => {
      // A victim who logs in after the attack (registered before it).
      const email = `victim-${randomUUID()}@example.com`;
      const password = `pw-${randomUUID()}`;
      expect(
        (await caller().post('/api/v1/auth/register', { email, password, name: 'V' })).status,
      ).toBe(201);
      const attacker = new ApiClient(process.env['E2E_GATEWAY_URL']!).from(
        `198.${randomInt(18, 20)}.${randomInt(0, 256)}.${randomInt(1, 255)}`,
      );
      // More than every breaker's volume threshold (10), in every shape the attack used; one after
      // the other (a burst on two shared cores would measure the machine, not the breakers).
      const answers: ApiResponse[] = [];
      for (let i = 0; i < 10; i++) {
        answers.push(
          await attacker.post('/api/v1/auth/register', {
            email: `ü${i}-${randomUUID()}@example.de`,
            password: 'long enough',
            name: 'A',
          }),
          await attacker.post('/api/v1/auth/register', {
            email: `nul${i}-${randomUUID()}@example.com`,
            password: 'long enough',
            name: 'A\u0000',
          }),
          // Reaches the user service and fails there (ALREADY_EXISTS, or however it answers).
          await attacker.post('/api/v1/auth/register', {
            email,
            password: 'another password',
            name: 'A',
          }),
          await customer.get(
            `/api/v1/orders?pageToken=${pageToken(customerId, { t: `${i}`, id: randomUUID() })}`,
          ),
        );
      }
      // Every one refused (the taken email is answered like a new one: 201, nothing changed).
      for (const answer of answers) expect(answer.status).toBeLessThan(500);
      expect(answers.filter((answer) => answer.status >= 400)).toHaveLength(30);
      const login = await caller().post('/api/v1/auth/login', { email, password });
      expect(login.status).toBe(200);
      const list = await customer.get('/api/v1/orders');
      expect(list.status).toBe(200);
    });
  });
});
