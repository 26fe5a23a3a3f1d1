import { Injectable } from '@nestjs/common';
import { InjectConfig } from '@ordermesh/service-kit';
import type { StorefrontEnv } from '../config/env.schema';
import type {
  ApiOrder,
  ApiProduct,
  ApiShipment,
  ApiNotification,
  ApiUser,
  LoginResult,
  Page,
  ProductPage,
} from './gateway.types';

/** An error answer of the gateway: `{ statusCode, error, message, details? }`. */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

export interface CallOptions {
  /** The signed-in customer's bearer token. */
  token?: string | undefined;
  /** The browser's address, so the gateway's per-IP rate limit sees the person, not the storefront. */
  clientIp?: string | undefined;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * The storefront's only way into the platform: the gateway's public REST API, as any other
 * client uses it. Trace context travels in the `traceparent` header (OpenTelemetry's fetch
 * instrumentation), so a page and everything it caused are one trace.
 */
@Injectable()
export class GatewayClient {
  constructor(@InjectConfig() private readonly config: StorefrontEnv) {}

  async call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    if (options.clientIp) headers['x-forwarded-for'] = options.clientIp;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.config.GATEWAY_URL}${path}`, {
        method,
        headers,
        body: options.body === undefined ? null : JSON.stringify(options.body),
        signal: AbortSignal.timeout(this.config.GATEWAY_TIMEOUT_MS),
        redirect: 'error',
      });
    } catch (error) {
      throw new GatewayError(503, `the shop's API is not reachable (${(error as Error).message})`);
    }
    const text = await response.text();
    const body = text ? (safeJson(text) as Record<string, unknown> | undefined) : undefined;
    if (!response.ok) {
      const message = body?.['message'];
      throw new GatewayError(
        response.status,
        typeof message === 'string' ? message : `the API answered ${response.status}`,
        body?.['details'],
      );
    }
    return body as T;
  }

  products(query: { category?: string; q?: string; pageToken?: string; pageSize?: number }) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') params.set(key, String(value));
    }
    return this.call<ProductPage>('GET', `/products?${params}`);
  }

  product(id: string) {
    return this.call<ApiProduct>('GET', `/products/${encodeURIComponent(id)}`);
  }

  login(email: string, password: string, clientIp?: string) {
    return this.call<LoginResult>('POST', '/auth/login', { body: { email, password }, clientIp });
  }

  register(input: { email: string; password: string; name: string }, clientIp?: string) {
    return this.call<{ user: ApiUser }>('POST', '/auth/register', { body: input, clientIp });
  }

  orders(options: CallOptions, pageToken = '') {
    const query = pageToken ? `?pageToken=${encodeURIComponent(pageToken)}` : '';
    return this.call<Page<ApiOrder>>('GET', `/orders${query}`, options);
  }

  order(id: string, options: CallOptions) {
    return this.call<ApiOrder>('GET', `/orders/${encodeURIComponent(id)}`, options);
  }

  shipment(id: string, options: CallOptions) {
    return this.call<ApiShipment>('GET', `/orders/${encodeURIComponent(id)}/shipment`, options);
  }

  notifications(options: CallOptions) {
    return this.call<Page<ApiNotification>>('GET', '/notifications?pageSize=50', options);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
