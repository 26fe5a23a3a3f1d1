import { randomUUID } from 'node:crypto';
import type { ApiClient } from '@ordermesh/testing';
import type { ChaosConfig } from './config';

/** A customer of the load, behind its own client address (X-Forwarded-For, see LoadDriver). */
export interface Customer {
  index: number;
  userId: string;
  /** A current access token: renewed through /auth/refresh (or a new login) before it expires. */
  token(): Promise<string>;
  /** The address the gateway sees (it trusts loopback proxies): per-client rate limits apply. */
  forwardedFor: string;
}

export interface Product {
  id: string;
  initialStock: number;
  unitPriceMinor: number;
  /** Runs out early in the scenario: its orders then meet 409 (out of stock) and compensations. */
  scarce: boolean;
}

/** What one scenario's load uses: customers (shared by the run) and products of its own. */
export interface World {
  customers: Customer[];
  products: Product[];
  admin: ApiClient;
}

/** TEST-NET-2 addresses: a client population behind the loopback "proxy" that the driver is. */
export const clientAddress = (index: number) => `198.51.100.${(index % 250) + 1}`;

let customers: Promise<Customer[]> | undefined;

interface SignedIn {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/**
 * Keeps one customer signed in for a run longer than an access token lives: refreshes at half
 * the lifetime; when a refresh is refused (a refresh that timed out may have rotated the token
 * already, so the retry is a reuse and ends the session) it logs in again.
 */
function sessionKeeper(
  gateway: ApiClient,
  first: SignedIn,
  credentials: { email: string; password: string },
  forwardedFor: string,
): () => Promise<string> {
  const headers = { 'x-forwarded-for': forwardedFor };
  const renewAt = (tokens: SignedIn) => Date.now() + tokens.expiresIn * 500;
  let current = { ...first, renewAt: renewAt(first) };
  let renewing: Promise<void> | undefined;
  const renew = async () => {
    const refreshed = await gateway
      .request<SignedIn>('POST', '/api/v1/auth/refresh', {
        body: { refreshToken: current.refreshToken },
        headers,
      })
      .catch(() => undefined);
    let next = refreshed?.status === 200 ? refreshed.body : undefined;
    if (!next && refreshed && refreshed.status < 500) {
      const login = await gateway
        .request<SignedIn>('POST', '/api/v1/auth/login', { body: credentials, headers })
        .catch(() => undefined);
      if (login?.status === 200) next = login.body;
    }
    // Not renewed (the user service is down in this scenario): keep the token, try again soon.
    current = next
      ? { ...next, renewAt: renewAt(next) }
      : { ...current, renewAt: Date.now() + 5_000 };
  };
  return async () => {
    if (Date.now() >= current.renewAt) {
      renewing ??= renew().finally(() => (renewing = undefined));
      await renewing;
    }
    return current.accessToken;
  };
}

async function registerCustomers(count: number, via: WorldGateway): Promise<Customer[]> {
  const gateway = via.anonymous();
  const result: Customer[] = [];
  // A few at a time: registration hashes the password (argon2id), which is CPU-bound.
  for (let start = 0; start < count; start += 4) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(4, count - start) }, async (_, i) => {
        const index = start + i;
        const email = `chaos-${randomUUID()}@example.com`;
        const password = `pw-${randomUUID()}`;
        const registered = await gateway.post(
          '/api/v1/auth/register',
          { email, password, name: `Chaos Customer ${index}` },
          { 'x-forwarded-for': clientAddress(index) },
        );
        if (registered.status !== 201) {
          throw new Error(`register: ${registered.status} ${JSON.stringify(registered.body)}`);
        }
        const login = await gateway.request<SignedIn & { user: { id: string } }>(
          'POST',
          '/api/v1/auth/login',
          {
            body: { email, password },
            headers: { 'x-forwarded-for': clientAddress(index) },
          },
        );
        if (login.status !== 200) throw new Error(`login: ${JSON.stringify(login.body)}`);
        return {
          index,
          userId: login.body.user.id,
          token: sessionKeeper(gateway, login.body, { email, password }, clientAddress(index)),
          forwardedFor: clientAddress(index),
        };
      }),
    );
    result.push(...batch);
  }
  return result;
}

/** The gateway a world is made through: an anonymous caller and the platform's admin. */
export interface WorldGateway {
  anonymous(): ApiClient;
  admin(): Promise<ApiClient>;
}

/** Customers are registered once per run (and gateway); products are created per scenario. */
export async function createWorld(config: ChaosConfig, gateway: WorldGateway): Promise<World> {
  customers ??= registerCustomers(config.customers, gateway);
  const [people, adminClient] = await Promise.all([customers, gateway.admin()]);
  const products: Product[] = [];
  for (let i = 0; i <= config.products; i++) {
    const scarce = i === config.products;
    const initialStock = scarce ? config.scarceStock : config.stockPerProduct;
    const unitPriceMinor = 500 + 250 * i;
    const suffix = randomUUID().slice(0, 8);
    const created = await adminClient.post<{ id: string }>('/api/v1/products', {
      name: `Chaos product ${suffix}${scarce ? ' (scarce)' : ''}`,
      description: 'created by the chaos suite',
      category: `chaos-${suffix}`,
      attributes: { suite: 'chaos' },
      basePrice: { amountMinor: unitPriceMinor, currency: 'EUR' },
    });
    if (created.status !== 201) throw new Error(`create product: ${JSON.stringify(created.body)}`);
    const id = created.body.id;
    const stock = await adminClient.put(`/api/v1/inventory/${id}`, { quantity: initialStock });
    if (stock.status !== 200) throw new Error(`set stock: ${JSON.stringify(stock.body)}`);
    const price = await adminClient.put(`/api/v1/prices/${id}`, {
      listPrice: { amountMinor: unitPriceMinor, currency: 'EUR' },
      discountBps: 0,
    });
    if (price.status !== 200) throw new Error(`set price: ${JSON.stringify(price.body)}`);
    products.push({ id, initialStock, unitPriceMinor, scarce });
  }
  return { customers: people, products, admin: adminClient };
}
