import { randomUUID } from 'node:crypto';
import type {
  InventoryServiceClient,
  PaymentServiceClient,
  ShippingServiceClient,
  StockLevel,
} from '@ordermesh/contracts';
import { E2E_PROFILE, type ApiClient, type ApiResponse, waitFor } from '@ordermesh/testing';
import { connection } from '../support/connection-env';
import { type DirectClient, directClient } from '../support/grpc';

/** An order as the gateway presents it (apps/gateway/src/orders/orders.controller.ts). */
export interface OrderView {
  id: string;
  customerId: string;
  status: 'pending' | 'confirmed' | 'cancelled' | 'shipped';
  cancelReason: string | null;
  lines: { productId: string; name: string; quantity: number }[];
  total: { amountMinor: number; currency: string };
  paymentMethod: string;
  steps: { step: string; status: string; detail: string; at: string }[];
  createdAt: string;
  updatedAt: string;
}

export const FINAL = new Set(['confirmed', 'cancelled', 'shipped']);

/**
 * Whether the payment service runs with its test controls (PAYMENT_TEST_CONTROLS: the test
 * profile sets it, the dev profile does not); E2E_PAYMENT_TEST_CONTROLS=enabled|disabled overrides.
 */
export const PAYMENT_TEST_CONTROLS =
  (process.env['E2E_PAYMENT_TEST_CONTROLS'] ??
    (E2E_PROFILE === 'test' ? 'enabled' : 'disabled')) === 'enabled';

export const newKey = () => `e2e-${randomUUID()}`;

export function placeOrder(
  client: ApiClient,
  items: { productId: string; quantity: number }[],
  options: { key?: string; paymentMethod?: string } = {},
): Promise<ApiResponse<OrderView>> {
  return client.post<OrderView>(
    '/api/v1/orders',
    { items, paymentMethod: options.paymentMethod ?? 'card' },
    { 'Idempotency-Key': options.key ?? newKey() },
  );
}

/**
 * Places an order as a well-behaved client does: a 503/504 (the platform shedding load, e.g. a
 * breaker opened by a burst on two cores) is sent again with the same Idempotency-Key after its
 * Retry-After, so the answer that counts is the order's real outcome (201, 409, …).
 */
export async function placeOrderRetrying(
  client: ApiClient,
  items: { productId: string; quantity: number }[],
  attempts = 5,
): Promise<ApiResponse<OrderView>> {
  const key = newKey();
  for (let attempt = 1; ; attempt++) {
    const response = await placeOrder(client, items, { key });
    if ((response.status !== 503 && response.status !== 504) || attempt === attempts) {
      return response;
    }
    const retryAfter = Number(response.headers.get('retry-after') ?? 1);
    await new Promise((resolve) => setTimeout(resolve, Math.min(retryAfter, 5) * 1_000));
  }
}

/** Polls the order until it reached a final status (confirmed, cancelled, shipped). */
export function waitForFinal(
  client: ApiClient,
  orderId: string,
  { timeoutMs = 60_000, accept = FINAL } = {},
): Promise<OrderView> {
  return waitFor(
    async () => {
      const response = await client.get<OrderView>(`/api/v1/orders/${orderId}`);
      return response.status === 200 && accept.has(response.body.status)
        ? response.body
        : undefined;
    },
    { timeoutMs, intervalMs: 300, what: `order ${orderId} to reach ${[...accept].join('|')}` },
  );
}

/** All of a customer's orders (one request per page: cheaper than polling each order). */
export async function listOrders(client: ApiClient): Promise<OrderView[]> {
  const orders: OrderView[] = [];
  let token: string | null = null;
  do {
    const query: string = token ? `?pageSize=100&pageToken=${token}` : '?pageSize=100';
    const page = await client.get<{ items: OrderView[]; nextPageToken: string | null }>(
      `/api/v1/orders${query}`,
    );
    if (page.status !== 200)
      throw new Error(`list orders: ${page.status} ${JSON.stringify(page.body)}`);
    orders.push(...page.body.items);
    token = page.body.nextPageToken;
  } while (token);
  return orders;
}

function grpcAddress(service: string): string {
  const address = connection.services[service]?.grpc;
  if (!address) throw new Error(`no gRPC address for ${service} in the connection info`);
  return address;
}

/** Direct gRPC clients of the services the saga calls, to check its effects at the source. */
export class Backends {
  readonly inventory: DirectClient<InventoryServiceClient>;
  readonly payment: DirectClient<PaymentServiceClient>;
  readonly shipping: DirectClient<ShippingServiceClient>;

  constructor() {
    this.inventory = directClient<InventoryServiceClient>('inventory', grpcAddress('inventory'));
    this.payment = directClient<PaymentServiceClient>('payment', grpcAddress('payment'));
    this.shipping = directClient<ShippingServiceClient>('shipping', grpcAddress('shipping'));
  }

  async stock(productId: string): Promise<StockLevel> {
    const { levels } = await this.inventory.rpc.getStockLevels({ productIds: [productId] });
    const level = levels.find((l) => l.productId === productId);
    if (!level) throw new Error(`no stock level for ${productId}`);
    return level;
  }

  close(): void {
    this.inventory.close();
    this.payment.close();
    this.shipping.close();
  }
}
