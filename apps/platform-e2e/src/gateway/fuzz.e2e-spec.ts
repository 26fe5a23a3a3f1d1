import { randomInt, randomUUID } from 'node:crypto';
import { deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import mongoose from 'mongoose';
import { Client } from 'pg';
import { ApiClient } from '@ordermesh/testing';
import { connection } from '../support/connection-env';
import { admin, createProduct, type ProductView } from '../support/fixtures';

/**
 * Property-based fuzzing of the public API through the gateway (issue 13): valid and malformed
 * values of every field and header, random nesting, encodings and charsets. Every answer is below
 * 500 and, when it is an error, in the one error shape; an error writes nothing (row counts and
 * last-update times of every store the API writes to are unchanged).
 *
 * Bounded: a fixed number of runs per endpoint group and a time limit per group (the whole file
 * takes a minute or two); loopback only; its own client addresses, like the other e2e files.
 * FUZZ_SEED reproduces a run (fast-check prints the seed and the shrunk counterexample).
 */
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 60);
const TIME_LIMIT_MS = 12_000;
const seed = process.env['FUZZ_SEED'] ? Number(process.env['FUZZ_SEED']) : undefined;
const GATEWAY = process.env['E2E_GATEWAY_URL']!;

/** A client address of this file per request, so no one address nears the per-IP limit. */
const forwardedFor = () => `198.${randomInt(18, 20)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

// ---- values of fields: valid ones and every kind of malformed one ------------------------------

const control = fc.constantFrom('\u0000', '\u0007', '\u001b[2J', '\u007f', '\ud800', '\r\n');
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc
    .tuple(fc.string({ maxLength: 10 }), control, fc.string({ maxLength: 10 }))
    .map((p) => p.join('')),
  fc.constantFrom('', ' ', '$where', 'a.b', '__proto__', 'constructor', "'; DROP TABLE users; --"),
  fc.integer({ min: 1, max: 12_000 }).map((n) => 'x'.repeat(n)),
);
/** Any JSON value, nested to random depth (the gateway bounds depth at 8). */
const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.integer({ min: 1, max: 40 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth))),
  fc.constantFrom(null, true, -1, 0, 1.5, 1e308, -0, Number.MAX_SAFE_INTEGER + 2),
);
const malformed = fc.oneof(nasty, anyJson);
/** A valid value most of the time, a malformed one otherwise, and sometimes no field at all. */
const field = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof(
    { weight: 3, arbitrary: valid },
    { weight: 2, arbitrary: malformed },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

const email = fc.oneof(
  fc.uuid().map((id) => `fuzz-${id}@example.com`),
  fc.emailAddress(),
  fc.constantFrom('jürgen@example.de', '"q"@example.com', 'a@b', 'a@[127.0.0.1]'),
);
const text = (max: number) => fc.string({ minLength: 1, maxLength: max });
const money = fc.record({
  amountMinor: field(fc.integer({ min: 0, max: 1_000_000 })),
  currency: field(fc.constantFrom('EUR', 'USD')),
});
const attributes = fc.oneof(
  fc.dictionary(
    fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_ -]{0,10}$/),
    fc.string({ maxLength: 20 }),
    { maxKeys: 5 },
  ),
  fc.dictionary(nasty, malformed, { maxKeys: 5 }),
);
const address = fc.record(
  {
    recipientName: field(text(200)),
    line1: field(text(200)),
    line2: field(fc.string({ maxLength: 200 })),
    city: field(text(100)),
    region: field(fc.string({ maxLength: 100 })),
    postalCode: field(text(20)),
    countryCode: field(fc.constantFrom('DE', 'FR', 'de', 'XYZ')),
  },
  { requiredKeys: [] },
);
/** A body: the fields of the schema (each valid, malformed or absent), plus unknown keys at times. */
const body = (fields: Record<string, fc.Arbitrary<unknown>>) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.record(fields, { requiredKeys: [] }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.record(fields, { requiredKeys: [] }),
          fc.dictionary(nasty, malformed, { maxKeys: 3 }),
        )
        .map(([known, extra]) => ({ ...extra, ...known })),
    },
    { weight: 1, arbitrary: anyJson },
  );

// ---- how the body travels: encodings, charsets, content types ----------------------------------

type Wire = { bytes?: Buffer | string; headers: Record<string, string> };
const wire = (value: unknown): fc.Arbitrary<Wire> => {
  const json = JSON.stringify(value) ?? 'null';
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constant({ bytes: json, headers: { 'content-type': 'application/json' } }),
    },
    {
      weight: 3,
      arbitrary: fc.constantFrom<Wire>(
        {
          bytes: gzipSync(json),
          headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        },
        {
          bytes: deflateSync(json),
          headers: { 'content-type': 'application/json', 'content-encoding': 'deflate' },
        },
        {
          bytes: Buffer.from(json),
          headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        },
        {
          bytes: gzipSync(json).subarray(0, 12),
          headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        },
        {
          bytes: json,
          headers: { 'content-type': 'application/json', 'content-encoding': 'compress' },
        },
        { bytes: json, headers: { 'content-type': 'application/json; charset=iso-8859-1' } },
        {
          bytes: Buffer.from(json, 'utf16le'),
          headers: { 'content-type': 'application/json; charset=utf-16' },
        },
        { bytes: json, headers: { 'content-type': 'text/plain' } },
        { bytes: json, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
        {
          bytes: Buffer.concat([
            Buffer.from('{"name":"'),
            Buffer.from([0xc3, 0x28, 0xff]),
            Buffer.from('"}'),
          ]),
          headers: { 'content-type': 'application/json' },
        },
        {
          bytes: json.slice(0, Math.max(1, json.length - 1)),
          headers: { 'content-type': 'application/json' },
        },
        { bytes: '', headers: { 'content-type': 'application/json' } },
        { headers: {} },
      ),
    },
  );
};

/** Headers every request may carry, valid or not. */
const headerValue = fc.oneof(
  fc.stringMatching(/^[\x21-\x7e]{0,60}$/),
  fc.constantFrom('', ' ', 'null', 'x'.repeat(2_000)),
);
const extraHeaders = fc.record(
  {
    'x-request-id': headerValue,
    traceparent: fc.oneof(headerValue, fc.constant(`00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`)),
    'idempotency-key': fc.oneof(headerValue, fc.uuid()),
    accept: fc.constantFrom('application/json', '*/*', 'text/html', 'application/xml'),
  },
  { requiredKeys: [] },
);

// ---- the endpoints -------------------------------------------------------------------------------

type Auth = 'none' | 'customer' | 'admin';
interface Endpoint {
  name: string;
  method: string;
  path: fc.Arbitrary<string>;
  auth: Auth;
  body?: fc.Arbitrary<unknown>;
}

const id = (known: () => string) =>
  fc.oneof(
    fc.constant(null).map(() => known()),
    fc.uuid(),
    nasty.map(pathSegment),
  );
/** A path segment of any string (lone surrogates, which encodeURIComponent refuses, as U+FFFD). */
const pathSegment = (value: string) =>
  encodeURIComponent(
    value.replace(
      /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
      '\uFFFD',
    ),
  );
const query = (fields: Record<string, fc.Arbitrary<unknown>>) =>
  fc.record(fields, { requiredKeys: [] }).map((values) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(values)) {
      if (value !== undefined)
        params.append(key, typeof value === 'string' ? value : JSON.stringify(value));
    }
    const text = params.toString();
    return text ? `?${text}` : '';
  });
const pageToken = fc.oneof(
  fc
    .base64String({ maxLength: 60 })
    .map((s) => s.replace(/\+/g, '-').replace(/\//g, '_').replace(/=/g, '')),
  anyJson.map((cursor) =>
    Buffer.from(JSON.stringify({ v: 1, q: '', c: cursor })).toString('base64url'),
  ),
  nasty,
);
const pageQuery = {
  pageSize: field(fc.integer({ min: 1, max: 100 })),
  pageToken: field(pageToken),
};

describe('fuzzing the public API', () => {
  let product: ProductView;
  let customer: ApiClient;
  let adminClient: ApiClient;
  let orderId = '';
  const stores: { name: string; client: Client; sql: string }[] = [];
  let mongo: mongoose.Connection;

  /** Row counts and last writes of every store the public API writes to. */
  async function fingerprint(): Promise<string> {
    const rows = await Promise.all(
      stores.map(
        async (store) =>
          `${store.name}:${JSON.stringify((await store.client.query(store.sql)).rows[0])}`,
      ),
    );
    const products = mongo.db!.collection('products');
    const [count, latest] = await Promise.all([
      products.countDocuments(),
      products.find().sort({ updatedAt: -1 }).limit(1).toArray(),
    ]);
    return [...rows, `products:${count}:${String(latest[0]?.['updatedAt'])}`].join(' ');
  }

  beforeAll(async () => {
    adminClient = await admin();
    product = await createProduct(adminClient, { stock: 1_000, amountMinor: 300 });
    ({ client: customer } = await new ApiClient(GATEWAY).from(forwardedFor()).newCustomer('Fuzz'));
    const placed = await customer.post<{ id: string }>(
      '/api/v1/orders',
      { items: [{ productId: product.id, quantity: 1 }], paymentMethod: 'card' },
      { 'idempotency-key': `fuzz-${randomUUID()}` },
    );
    orderId = placed.body.id;
    const table = (service: string, sql: string) => {
      const client = new Client({ connectionString: connection.postgres.databases[service]!.url });
      stores.push({ name: service, client, sql });
      return client.connect();
    };
    await Promise.all([
      table('user', 'SELECT count(*) AS n, max(updated_at) AS at FROM users'),
      table('order', 'SELECT count(*) AS n FROM orders'),
      table('inventory', 'SELECT count(*) AS n FROM stock_levels'),
      table('pricing', 'SELECT count(*) AS n, max(updated_at) AS at FROM prices'),
    ]);
    mongo = await mongoose
      .createConnection(connection.mongodb.url, { dbName: 'product' })
      .asPromise();
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.client.end()));
    await mongo?.close();
  });

  const endpoints = (): Endpoint[] => [
    {
      name: 'register',
      method: 'POST',
      path: fc.constant('/api/v1/auth/register'),
      auth: 'none',
      body: body({ email: field(email), password: field(text(300)), name: field(text(210)) }),
    },
    {
      name: 'login',
      method: 'POST',
      path: fc.constant('/api/v1/auth/login'),
      auth: 'none',
      body: body({ email: field(email), password: field(text(300)) }),
    },
    {
      name: 'place order',
      method: 'POST',
      path: fc.constant('/api/v1/orders'),
      auth: 'customer',
      body: body({
        items: field(
          fc.array(
            fc.record(
              {
                productId: field(fc.constant(null).map(() => product.id)),
                quantity: field(fc.integer({ min: -5, max: 2_000 })),
              },
              { requiredKeys: [] },
            ),
            { maxLength: 60 },
          ),
        ),
        paymentMethod: field(fc.constantFrom('card', 'paypal', 'Card', 'DROP TABLE')),
        shippingAddress: field(address),
      }),
    },
    {
      name: 'cancel order',
      method: 'POST',
      path: id(() => orderId).map((value) => `/api/v1/orders/${value}/cancel`),
      auth: 'customer',
      body: body({ reason: field(fc.string({ maxLength: 600 })) }),
    },
    {
      name: 'read',
      method: 'GET',
      path: fc.oneof(
        query({ ...pageQuery, category: field(text(120)) }).map((q) => `/api/v1/products${q}`),
        query(pageQuery).map((q) => `/api/v1/orders${q}`),
        query(pageQuery).map((q) => `/api/v1/notifications${q}`),
        id(() => product.id).map((value) => `/api/v1/products/${value}`),
        id(() => orderId).map((value) => `/api/v1/orders/${value}`),
        id(() => orderId).map((value) => `/api/v1/orders/${value}/shipment`),
        fc.constant('/api/v1/users/me'),
      ),
      auth: 'customer',
    },
    {
      name: 'catalogue admin',
      method: 'POST',
      path: fc.constant('/api/v1/products'),
      auth: 'admin',
      body: body({
        name: field(text(210)),
        description: field(fc.string({ maxLength: 200 })),
        category: field(fc.constant(null).map(() => `fuzz-${randomUUID().slice(0, 8)}`)),
        attributes: field(attributes),
        basePrice: field(money),
      }),
    },
    {
      name: 'catalogue updates',
      method: 'PATCH',
      path: id(() => product.id).map((value) => `/api/v1/products/${value}`),
      auth: 'admin',
      body: body({
        name: field(text(210)),
        attributes: field(attributes),
        basePrice: field(money),
      }),
    },
    {
      name: 'stock and prices',
      method: 'PUT',
      path: fc.oneof(
        id(() => product.id).map((value) => `/api/v1/inventory/${value}`),
        id(() => product.id).map((value) => `/api/v1/prices/${value}`),
      ),
      auth: 'admin',
      body: body({
        quantity: field(fc.integer({ min: -10, max: 2_000_000 })),
        listPrice: field(money),
        discountBps: field(fc.integer({ min: -10, max: 20_000 })),
      }),
    },
  ];

  const authorization = (auth: Auth) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.constant(auth) },
      { weight: 1, arbitrary: fc.constantFrom('none', 'garbage', 'customer', 'admin') },
    );

  it.each(endpoints().map((endpoint) => [endpoint.name, endpoint] as const))(
    '%s: no 5xx, the error shape, nothing written on an error',
    async (_name, endpoint) => {
      const request = fc
        .tuple(
          endpoint.path,
          endpoint.body ?? fc.constant(undefined),
          extraHeaders,
          authorization(endpoint.auth),
        )
        .chain(([path, value, headers, auth]) =>
          (endpoint.body ? wire(value) : fc.constant<Wire>({ headers: {} })).map((travel) => ({
            path,
            travel,
            headers,
            auth,
          })),
        );
      await fc.assert(
        fc.asyncProperty(request, async ({ path, travel, headers, auth }) => {
          const token =
            auth === 'customer'
              ? customer.token
              : auth === 'admin'
                ? adminClient.token
                : auth === 'garbage'
                  ? 'eyJ.x.y'
                  : undefined;
          const before = await fingerprint();
          const response = await fetch(`${GATEWAY}${path}`, {
            method: endpoint.method,
            headers: {
              ...headers,
              ...travel.headers,
              'x-forwarded-for': forwardedFor(),
              ...(token ? { authorization: `Bearer ${token}` } : {}),
            },
            body: travel.bytes,
            signal: AbortSignal.timeout(15_000),
          });
          const text = await response.text();
          expect(response.status).toBeLessThan(500);
          if (response.status >= 400) {
            const parsed = JSON.parse(text) as Record<string, unknown>;
            expect(parsed).toEqual(
              expect.objectContaining({
                statusCode: response.status,
                error: expect.any(String),
                message: expect.any(String),
              }),
            );
            expect(await fingerprint()).toBe(before);
          }
        }),
        {
          numRuns: RUNS,
          interruptAfterTimeLimit: TIME_LIMIT_MS,
          markInterruptAsFailure: false,
          ...(seed === undefined ? {} : { seed }),
        },
      );
    },
  );
});
