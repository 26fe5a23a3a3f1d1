import { randomUUID } from 'node:crypto';
import { recordSecrets } from './secrets-ledger';

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** A small client for the gateway's REST API, as a user of the platform would call it. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    /** The bearer token sent with every request, if signed in. */
    readonly token?: string,
    /** Sent with every request (e.g. the caller's X-Forwarded-For address). */
    private readonly defaultHeaders: Record<string, string> = {},
  ) {}

  withToken(token: string): ApiClient {
    return new ApiClient(this.baseUrl, token, this.defaultHeaders);
  }

  /**
   * The same caller behind another client address: the test profile's gateway trusts loopback
   * proxies (TRUSTED_PROXIES=loopback), so its per-IP rate limit counts this address instead of
   * 127.0.0.1. A gateway with the default configuration ignores the header.
   */
  from(address: string): ApiClient {
    return new ApiClient(this.baseUrl, this.token, {
      ...this.defaultHeaders,
      'x-forwarded-for': address,
    });
  }

  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...this.defaultHeaders, ...options.headers };
    if (this.token) headers['authorization'] = `Bearer ${this.token}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    } else if (body !== undefined) {
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (e.g. the docs page); keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  get<T = Record<string, unknown>>(path: string) {
    return this.request<T>('GET', path);
  }

  post<T = Record<string, unknown>>(
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) {
    return this.request<T>('POST', path, { body, headers });
  }

  put<T = Record<string, unknown>>(path: string, body?: unknown) {
    return this.request<T>('PUT', path, { body });
  }

  patch<T = Record<string, unknown>>(path: string, body?: unknown) {
    return this.request<T>('PATCH', path, { body });
  }

  /** Registers a new customer with a unique email and returns a client logged in as them. */
  async newCustomer(
    name = 'E2E Customer',
  ): Promise<{ client: ApiClient; userId: string; email: string }> {
    const email = `e2e-${randomUUID()}@example.com`;
    const password = `pw-${randomUUID()}`;
    recordSecrets(email, password);
    const registered = await this.post('/api/v1/auth/register', { email, password, name });
    if (registered.status !== 201)
      throw new Error(`register failed: ${JSON.stringify(registered.body)}`);
    const { client, userId } = await this.signIn(email, password);
    return { client, userId, email };
  }

  async login(email: string, password: string): Promise<ApiClient> {
    return (await this.signIn(email, password)).client;
  }

  /** Logs in; the client carries the access token (the refresh token is returned beside it). */
  async signIn(
    email: string,
    password: string,
  ): Promise<{ client: ApiClient; userId: string; refreshToken: string }> {
    recordSecrets(email, password);
    const login = await this.post<{
      accessToken: string;
      refreshToken: string;
      user: { id: string };
    }>('/api/v1/auth/login', { email, password });
    if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
    recordSecrets(login.body.accessToken, login.body.refreshToken);
    return {
      client: this.withToken(login.body.accessToken),
      userId: login.body.user.id,
      refreshToken: login.body.refreshToken,
    };
  }
}
