import { randomUUID } from 'node:crypto';
import type { Customer, Product, World } from './world';

export type RequestKind = 'order' | 'view' | 'healthy' | 'reconcile';

/** One request of the load and what came of it. Times are ms since the scenario started. */
export interface RequestRecord {
  seq: number;
  kind: RequestKind;
  customer: number;
  sentAt: number;
  latencyMs: number;
  /** HTTP status; 0 = no response (connection refused/reset, client timeout); -1 = shed. */
  status: number;
  /** Error message of a failed request (the API's `message`, or the network error). */
  error?: string;
  /** For 5xx: the body has the API's error shape (statusCode, error, message). */
  clearBody?: boolean;
  /** Orders: the idempotency key and, when accepted, the order id. */
  key?: string;
  orderId?: string;
  /** Product views: whether the gateway returned a degraded view. */
  degraded?: boolean;
}

interface OrderIntent {
  customer: Customer;
  key: string;
  body: { items: { productId: string; quantity: number }[]; paymentMethod: string };
}

export interface LoadOptions {
  orderRate: number;
  viewRate: number;
  healthyRate: number;
  maxInFlight: number;
  /** Share of orders (0..1) paid with `declineMethod` (payment declines it under test controls). */
  declineShare?: number;
  declineMethod?: string;
}

const REQUEST_TIMEOUT_MS = 15_000;

/**
 * An open-loop load generator: requests start at a fixed arrival rate whatever the responses do
 * (a slow system gets more concurrent requests, as with real users — no coordinated omission),
 * bounded by `maxInFlight`. Orders go through the gateway with an Idempotency-Key each; the driver
 * keeps every outcome for the invariant checker and can re-send the orders whose outcome it never
 * learnt (5xx, timeouts) with the same key, as a well-behaved client would.
 */
export class LoadDriver {
  readonly records: RequestRecord[] = [];
  private readonly intents = new Map<string, OrderIntent>();
  private readonly inFlight = new Set<Promise<void>>();
  /** One pending timer per arrival stream. */
  private timers: (NodeJS.Timeout | undefined)[] = [];
  private seq = 0;
  private running = false;
  private random: () => number;

  constructor(
    private readonly gatewayUrl: string,
    private readonly world: World,
    private readonly t0: number,
    seed = 42,
  ) {
    this.random = mulberry32(seed);
  }

  /** Starts (or re-starts with new options) the arrivals. */
  start(options: LoadOptions): void {
    this.stopArrivals();
    this.running = true;
    this.schedule('order', options.orderRate, () => this.placeOrder(options), options.maxInFlight);
    this.schedule('view', options.viewRate, () => this.viewProduct(), options.maxInFlight);
    this.schedule('healthy', options.healthyRate, () => this.healthyPath(), options.maxInFlight);
  }

  /** Stops the arrivals and waits for the requests in flight. */
  async stop(): Promise<void> {
    this.stopArrivals();
    this.running = false;
    await Promise.allSettled([...this.inFlight]);
  }

  now(): number {
    return Date.now() - this.t0;
  }

  /** Every key the driver sent an order with, whatever the outcome. */
  get orderKeys(): string[] {
    return [...this.intents.keys()];
  }

  /** Order ids the API accepted (201), including those learnt by reconciliation. */
  acceptedOrderIds(): Set<string> {
    return new Set(
      this.records.flatMap((r) =>
        (r.kind === 'order' || r.kind === 'reconcile') && r.status === 201 && r.orderId
          ? [r.orderId]
          : [],
      ),
    );
  }

  /** Keys of orders whose outcome the client never learnt (no response, 5xx). */
  unresolvedKeys(): string[] {
    const resolved = new Set(
      this.records.flatMap((r) => (r.key && r.status >= 200 && r.status < 500 ? [r.key] : [])),
    );
    return [...this.intents.keys()].filter((key) => !resolved.has(key));
  }

  /**
   * Re-sends, with the same Idempotency-Key and body, the orders of unknown outcome that the
   * platform did create (`created`: key → order id, read from order_svc), as a client retrying
   * would: the API must answer with that very order — never a second one. Orders that were not
   * created are not re-sent (that would only add load after the recovery). Returns the problems.
   */
  async reconcile(created: Map<string, string>, attempts = 4): Promise<string[]> {
    const problems: string[] = [];
    await mapLimit([...created], 8, async ([key, orderId]) => {
      const intent = this.intents.get(key);
      if (!intent) return;
      for (let attempt = 0; attempt < attempts; attempt++) {
        if (attempt > 0) await sleep(1_000 * attempt);
        const record = await this.sendOrder(intent, 'reconcile');
        if (record.status === 201) {
          if (record.orderId !== orderId) {
            problems.push(
              `key ${key}: the retry got order ${record.orderId}, the first try created ${orderId}`,
            );
          }
          return;
        }
        if (record.status > 0 && record.status < 500) {
          problems.push(
            `key ${key}: the retry got ${record.status} ${record.error ?? ''} for existing order ${orderId}`,
          );
          return;
        }
      }
      problems.push(`key ${key}: order ${orderId} exists but every retry failed`);
    });
    return problems;
  }

  private stopArrivals(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }

  /** Arrivals at `rate`/s on a fixed schedule (catching up after a late timer). */
  private schedule(
    kind: RequestKind,
    rate: number,
    fire: () => Promise<void>,
    maxInFlight: number,
  ): void {
    if (rate <= 0) return;
    const slot = this.timers.length;
    this.timers.push(undefined);
    const interval = 1_000 / rate;
    const started = Date.now();
    let sent = 0;
    const tick = () => {
      if (!this.running) return;
      const due = Math.floor((Date.now() - started) / interval) + 1;
      for (; sent < due; sent++) {
        if (this.inFlight.size >= maxInFlight) {
          this.records.push(this.shed(kind));
          continue;
        }
        const request = fire().catch(() => undefined);
        this.inFlight.add(request);
        void request.finally(() => this.inFlight.delete(request));
      }
      this.timers[slot] = setTimeout(tick, Math.max(1, started + sent * interval - Date.now()));
    };
    tick();
  }

  private shed(kind: RequestKind): RequestRecord {
    return {
      seq: this.seq++,
      kind,
      customer: -1,
      sentAt: this.now(),
      latencyMs: 0,
      status: -1,
      error: 'shed by the driver (too many requests in flight)',
    };
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  private async placeOrder(options: LoadOptions): Promise<void> {
    const customer = this.pick(this.world.customers);
    const lines = this.random() < 0.3 ? 2 : 1;
    const chosen = new Set<Product>();
    const plenty = this.world.products.filter((p) => !p.scarce);
    const scarce = this.world.products.filter((p) => p.scarce);
    while (chosen.size < lines) {
      chosen.add(scarce.length && this.random() < 0.05 ? this.pick(scarce) : this.pick(plenty));
    }
    const declined = options.declineShare !== undefined && this.random() < options.declineShare;
    const intent: OrderIntent = {
      customer,
      key: `chaos-${randomUUID()}`,
      body: {
        items: [...chosen].map((product) => ({
          productId: product.id,
          quantity: 1 + Math.floor(this.random() * 3),
        })),
        paymentMethod: declined ? (options.declineMethod ?? 'declined_card') : 'card',
      },
    };
    this.intents.set(intent.key, intent);
    await this.sendOrder(intent, 'order');
  }

  private async sendOrder(
    intent: OrderIntent,
    kind: 'order' | 'reconcile',
  ): Promise<RequestRecord> {
    const record = await this.send(kind, intent.customer, 'POST', '/api/v1/orders', {
      body: intent.body,
      headers: { 'idempotency-key': intent.key },
    });
    record.key = intent.key;
    this.records.push(record);
    return record;
  }

  private async viewProduct(): Promise<void> {
    const product = this.pick(this.world.products);
    const customer = this.pick(this.world.customers);
    const record = await this.send('view', customer, 'GET', `/api/v1/products/${product.id}`, {
      anonymous: true,
    });
    this.records.push(record);
  }

  /** A path that needs neither inventory nor payment: the customer's own orders. */
  private async healthyPath(): Promise<void> {
    const customer = this.pick(this.world.customers);
    const record = await this.send('healthy', customer, 'GET', '/api/v1/orders?pageSize=1', {});
    this.records.push(record);
  }

  private async send(
    kind: RequestKind,
    customer: Customer,
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string>; anonymous?: boolean },
  ): Promise<RequestRecord> {
    const bearer = options.anonymous ? undefined : await customer.token();
    const sentAt = this.now();
    const started = performance.now();
    const headers: Record<string, string> = {
      'x-forwarded-for': customer.forwardedFor,
      ...options.headers,
    };
    if (bearer) headers['authorization'] = `Bearer ${bearer}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const record: RequestRecord = {
      seq: this.seq++,
      kind,
      customer: customer.index,
      sentAt,
      latencyMs: 0,
      status: 0,
    };
    try {
      const response = await fetch(`${this.gatewayUrl}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      record.status = response.status;
      let body: Record<string, unknown> | undefined;
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
      } catch {
        body = undefined;
      }
      if (response.status >= 400) {
        const message = body?.['message'];
        record.error = typeof message === 'string' ? message : text.slice(0, 200);
        record.clearBody =
          typeof body?.['statusCode'] === 'number' &&
          typeof body['error'] === 'string' &&
          typeof message === 'string' &&
          message.length > 0;
      } else if ((kind === 'order' || kind === 'reconcile') && typeof body?.['id'] === 'string') {
        record.orderId = body['id'];
      } else if (kind === 'view') {
        record.degraded = body?.['degraded'] === true;
      }
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      record.error = cause?.code ?? cause?.message ?? (error as Error).message;
    }
    record.latencyMs = Math.round(performance.now() - started);
    return record;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Deterministic PRNG, so a scenario's request mix is reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await fn(items[index]!);
      }
    }),
  );
  return results;
}
