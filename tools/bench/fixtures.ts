// What the benchmarks create through the gateway's public API before they load it: an admin
// session, products with stock and a price, and signed-in customers behind their own addresses.
import { randomUUID } from 'node:crypto';
import { expectStatus, requestJson } from '../platform/http.ts';
import { adminCredentials } from '../seed/demo-data.ts';

export type Headers = Record<string, string>;

/** The seeded admin's authorization header. */
export async function adminHeaders(api: string): Promise<Headers> {
  const admin = expectStatus(
    await requestJson<{ accessToken: string }>(`${api}/auth/login`, {
      method: 'POST',
      body: adminCredentials(process.env),
    }),
    [200],
    'admin login',
  );
  return { authorization: `Bearer ${admin.accessToken}` };
}

/** A product in the `bench` category, 1,000,000 in stock, priced at its base price. */
export async function createStockedProduct(
  api: string,
  asAdmin: Headers,
  label: string,
): Promise<string> {
  const basePrice = { amountMinor: 1000, currency: 'EUR' };
  const { id } = expectStatus(
    await requestJson<{ id: string }>(`${api}/products`, {
      method: 'POST',
      headers: asAdmin,
      body: {
        name: `${label} ${randomUUID().slice(0, 8)}`,
        description: `created by ${label.toLowerCase()}`,
        category: 'bench',
        attributes: {},
        basePrice,
      },
    }),
    [201],
    'create product',
  );
  const stock = { method: 'PUT', headers: asAdmin, body: { quantity: 1_000_000 } };
  expectStatus(await requestJson(`${api}/inventory/${id}`, stock), [200], 'set stock');
  const price = { method: 'PUT', headers: asAdmin, body: { listPrice: basePrice, discountBps: 0 } };
  expectStatus(await requestJson(`${api}/prices/${id}`, price), [200], 'set price');
  return id;
}

/** A new customer, registered and signed in from `forwardedFor`: its access token. */
export async function signedInCustomer(
  api: string,
  forwardedFor: string,
  name: string,
): Promise<string> {
  const credentials = { email: `bench-${randomUUID()}@example.com`, password: randomUUID() };
  const headers = { 'x-forwarded-for': forwardedFor };
  expectStatus(
    await requestJson(`${api}/auth/register`, {
      method: 'POST',
      body: { ...credentials, name },
      headers,
    }),
    [201],
    'register',
  );
  const login = expectStatus(
    await requestJson<{ accessToken: string }>(`${api}/auth/login`, {
      method: 'POST',
      body: credentials,
      headers,
    }),
    [200],
    'login',
  );
  return login.accessToken;
}
