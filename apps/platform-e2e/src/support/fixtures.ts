import { randomInt, randomUUID } from 'node:crypto';
import { ApiClient, waitFor } from '@ordermesh/testing';

/**
 * The client address of this test file's callers (random in 198.18.0.0/15, the benchmarking
 * range; Jest loads this module once per file). Suites share one platform and its gateway's per-IP rate limit: a
 * suite that sends a burst must not leave the next one a used-up window on 127.0.0.1.
 */
const suiteAddress = `198.${randomInt(18, 20)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

/** The gateway of the platform under test, as an anonymous caller. */
export const anonymous = () => new ApiClient(process.env['E2E_GATEWAY_URL']!).from(suiteAddress);

/** The seeded local admin (see tools/seed/demo-data.ts). */
export async function admin(): Promise<ApiClient> {
  return anonymous().login(
    process.env['ORDERMESH_ADMIN_EMAIL'] || 'admin@ordermesh.local',
    process.env['ORDERMESH_ADMIN_PASSWORD'] || 'ordermesh-admin-local',
  );
}

export interface ProductView {
  id: string;
  name: string;
  category: string;
  price: { unitPrice: { amountMinor: number; currency: string }; available: boolean };
  stock: { available: number; status: string };
  degraded: boolean;
}

/** Creates a product of its own for a test (unique name and category), with stock and a price. */
export async function createProduct(
  adminClient: ApiClient,
  options: { stock?: number; amountMinor?: number; discountBps?: number; category?: string } = {},
): Promise<ProductView> {
  const suffix = randomUUID().slice(0, 8);
  const created = await adminClient.post<ProductView>('/api/v1/products', {
    name: `E2E product ${suffix}`,
    description: 'created by an e2e test',
    category: options.category ?? `e2e-${suffix}`,
    attributes: { suite: 'e2e' },
    basePrice: { amountMinor: options.amountMinor ?? 1000, currency: 'EUR' },
  });
  if (created.status !== 201) throw new Error(`create product: ${JSON.stringify(created.body)}`);
  const id = created.body.id;
  if (options.stock !== undefined) {
    const stock = await adminClient.put(`/api/v1/inventory/${id}`, { quantity: options.stock });
    if (stock.status !== 200) throw new Error(`set stock: ${JSON.stringify(stock.body)}`);
  }
  if (options.amountMinor !== undefined || options.discountBps !== undefined) {
    const price = await adminClient.put(`/api/v1/prices/${id}`, {
      listPrice: { amountMinor: options.amountMinor ?? 1000, currency: 'EUR' },
      discountBps: options.discountBps ?? 0,
    });
    if (price.status !== 200) throw new Error(`set price: ${JSON.stringify(price.body)}`);
  }
  return created.body;
}

/**
 * A product's view once it is complete: on a busy machine one answer can miss the view's budget for
 * stock or price and come back degraded (as designed), which is not what these tests look at.
 */
export async function productView<T extends ProductView = ProductView>(id: string): Promise<T> {
  return waitFor(
    async () => {
      const view = await anonymous().get<T>(`/api/v1/products/${id}`);
      if (view.status !== 200) throw new Error(`GET /api/v1/products/${id} → ${view.status}`);
      return view.body.degraded ? undefined : view.body;
    },
    { timeoutMs: 15_000, what: `a complete view of product ${id}` },
  );
}
