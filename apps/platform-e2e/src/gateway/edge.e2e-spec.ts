import { randomInt, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { type SignOptions, sign } from 'jsonwebtoken';
import { ApiClient, REPO_ROOT, ordermeshJson } from '@ordermesh/testing';
import { anonymous } from '../support/fixtures';
import { type ServiceProcess, startServiceProcess } from '../support/service-process';

const IP_LIMIT = 20;
const USER_LIMIT = 10;
const ALLOWED_ORIGIN = 'https://shop.example';

/** A client address no other test uses (198.18.0.0/15, the benchmarking range). */
const freshAddress = () => `198.${randomInt(18, 20)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

/**
 * The public edge as a client meets it: rate limits that hold across gateway replicas (two extra
 * gateway processes share the platform's Redis, with small limits so a test can reach them),
 * bearer tokens pinned to one algorithm, issuer and audience, security headers and CORS.
 */
describe('the public edge', () => {
  let env: Record<string, string>;
  let replicas: ServiceProcess[] = [];
  let clients: ApiClient[];
  /** A gateway with the default proxy trust (nobody) and one behind one trusted hop. */
  let untrusting: ApiClient;
  let oneHop: ApiClient;

  beforeAll(async () => {
    env = await ordermeshJson<Record<string, string>>('env', 'gateway', '--reveal');
    // The test profile trusts loopback proxies (TRUSTED_PROXIES=loopback); replicas c and d
    // replace that with the default and with a hop count.
    const trust: Record<string, Record<string, string>> = {
      a: {},
      b: {},
      c: { TRUSTED_PROXIES: '' },
      d: { TRUSTED_PROXIES: '', TRUSTED_PROXY_HOPS: '1' },
    };
    // allSettled: when one replica fails to start, the others are stopped too (a process left
    // running keeps jest from exiting).
    const started = await Promise.allSettled(
      Object.entries(trust).map(([name, overrides]) =>
        startServiceProcess({
          cwd: REPO_ROOT,
          entry: 'dist/apps/gateway/src/main.js',
          env: {
            ...env,
            RATE_LIMIT_IP_PER_MINUTE: String(IP_LIMIT),
            RATE_LIMIT_USER_PER_MINUTE: String(USER_LIMIT),
            CORS_ORIGINS: ALLOWED_ORIGIN,
            OTEL_SDK_DISABLED: 'true',
            BODY_LIMIT: '1kb',
            ...overrides,
          },
          what: `gateway replica ${name}`,
        }),
      ),
    );
    replicas = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) {
      await Promise.all(replicas.map((replica) => replica.stop()));
      throw failed.reason;
    }
    const all = replicas.map((replica) => new ApiClient(replica.url));
    clients = all.slice(0, 2);
    untrusting = all[2]!;
    oneHop = all[3]!;
  }, 120_000);

  afterAll(() => Promise.all(replicas.map((replica) => replica.stop())));

  /** Statuses of `count` calls of `send`, one after the other. */
  async function statuses(count: number, send: (i: number) => Promise<{ status: number }>) {
    const result: number[] = [];
    for (let i = 0; i < count; i++) result.push((await send(i)).status);
    return result;
  }
  const limited = (first: number, then: number, extra: number) => [
    ...Array<number>(IP_LIMIT).fill(first),
    ...Array<number>(extra).fill(then),
  ];

  describe('the client address', () => {
    let redis: Redis;
    beforeAll(() => {
      redis = new Redis(env['REDIS_URL']!, { lazyConnect: true, maxRetriesPerRequest: 1 });
    });
    afterAll(() => redis.quit());
    /** Whether the per-address limit has counted `address` (its key in the shared Redis). */
    const counted = async (address: string) => (await redis.exists(`rl:ip:${address}`)) === 1;

    it('is the connection peer by default: X-Forwarded-For cannot choose the limit key', async () => {
      const claimed = [freshAddress(), freshAddress(), freshAddress()];
      for (const address of claimed) {
        await untrusting.from(address).get('/api/v1/products?pageSize=1');
      }
      for (const address of claimed) expect(await counted(address)).toBe(false);
      // The same requests through a gateway that trusts its loopback proxy are counted per address.
      const trusted = freshAddress();
      expect((await clients[0]!.from(trusted).get('/api/v1/products?pageSize=1')).status).toBe(200);
      expect(await counted(trusted)).toBe(true);
    });

    it('behind one trusted hop is what that hop saw, whatever the client wrote before it', async () => {
      const real = freshAddress();
      const spoofed = freshAddress();
      const seen = await statuses(IP_LIMIT + 2, () =>
        oneHop.from(`${spoofed}, ${real}`).get('/api/v1/products?pageSize=1'),
      );
      expect(seen).toEqual(limited(200, 429, 2));
      expect(await counted(real)).toBe(true);
      expect(await counted(spoofed)).toBe(false);
      // Another client behind the same hop has a limit of its own.
      expect(
        (await oneHop.from(`${real}, ${freshAddress()}`).get('/api/v1/products?pageSize=1')).status,
      ).toBe(200);
    });
  });

  describe('rate limits', () => {
    it('counts a client address across replicas and answers 429 with Retry-After', async () => {
      const address = freshAddress();
      const responses = [];
      for (let i = 0; i < IP_LIMIT + 4; i++) {
        responses.push(await clients[i % 2]!.from(address).get('/api/v1/products?pageSize=1'));
      }
      // Each replica saw only 12 requests: only the count they share in Redis reaches 20.
      expect(responses.map((r) => r.status)).toEqual([
        ...Array<number>(IP_LIMIT).fill(200),
        ...Array<number>(4).fill(429),
      ]);
      const limited = responses.at(-1)!;
      expect(limited.body).toEqual({
        statusCode: 429,
        error: 'Too Many Requests',
        message: expect.stringMatching(/^rate limit exceeded, retry in \d+ s$/),
      });
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);

      // Another client is not affected.
      expect(
        (await clients[0]!.from(freshAddress()).get('/api/v1/products?pageSize=1')).status,
      ).toBe(200);
    });

    it('counts requests refused before a handler: 401, 403 and 413 use up the limit too', async () => {
      const unauthenticated = freshAddress();
      expect(
        await statuses(IP_LIMIT + 1, (i) =>
          clients[i % 2]!.from(unauthenticated).withToken('not-a-token').get('/api/v1/users/me'),
        ),
      ).toEqual(limited(401, 429, 1));

      const { client } = await anonymous().newCustomer('Forbidden Customer');
      const forbidden = freshAddress();
      expect(
        await statuses(IP_LIMIT + 1, (i) =>
          clients[i % 2]!.withToken(client.token!)
            .from(forbidden)
            .post('/api/v1/products', { name: 'not allowed' }),
        ),
      ).toEqual(limited(403, 429, 1));

      const oversized = freshAddress();
      expect(
        await statuses(IP_LIMIT + 1, (i) =>
          clients[i % 2]!.from(oversized).post('/api/v1/auth/login', {
            email: 'a@example.com',
            password: 'x'.repeat(4_000),
          }),
        ),
      ).toEqual(limited(413, 429, 1));
    });

    it('counts a signed-in user across replicas and client addresses', async () => {
      const { client } = await anonymous().newCustomer('Rate-limited Customer');
      const statuses = [];
      for (let i = 0; i < USER_LIMIT + 2; i++) {
        const replica = clients[i % 2]!.withToken(client.token!).from(freshAddress());
        statuses.push((await replica.get('/api/v1/users/me')).status);
      }
      expect(statuses).toEqual([
        ...Array<number>(USER_LIMIT).fill(200),
        ...Array<number>(2).fill(429),
      ]);
    });
  });

  describe('bearer tokens', () => {
    let userId: string;
    /** A token with the claims the gateway issues, signed as it signs them unless overridden. */
    const token = (overrides: { secret?: string } & SignOptions = {}) => {
      const { secret = env['JWT_SECRET']!, ...options } = overrides;
      return sign({ role: 'customer', sid: randomUUID() }, secret, {
        algorithm: 'HS256',
        subject: userId,
        issuer: env['JWT_ISSUER'],
        audience: env['JWT_AUDIENCE'],
        expiresIn: 300,
        ...options,
      });
    };
    const me = (bearer: string) =>
      anonymous().withToken(bearer).get<{ message: string }>('/api/v1/users/me');

    beforeAll(async () => {
      userId = (await anonymous().newCustomer('Token Customer')).userId;
    });

    it('accepts a token signed as the gateway signs them', async () => {
      expect((await me(token())).status).toBe(200);
    });

    it.each([
      ['signed with another algorithm (HS512)', () => token({ algorithm: 'HS512' })],
      ['signed with another secret', () => token({ secret: `x${env['JWT_SECRET']}` })],
      ['unsigned (alg none)', () => token({ algorithm: 'none', secret: '' })],
      ['of another issuer', () => token({ issuer: 'someone-else' })],
      ['for another audience', () => token({ audience: 'another-api' })],
    ])('rejects a token %s with 401', async (_, bearer) => {
      const response = await me(bearer());
      expect(response.status).toBe(401);
      expect(response.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'invalid token',
      });
    });

    it('rejects an expired token with 401 and says so', async () => {
      const response = await me(token({ expiresIn: -10 }));
      expect(response.status).toBe(401);
      expect(response.body.message).toBe('token expired');
    });
  });

  describe('headers', () => {
    it('sends security headers and no framework banner', async () => {
      const response = await anonymous().get('/api/v1/products?pageSize=1');
      expect(response.status).toBe(200);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(response.headers.get('x-powered-by')).toBeNull();
    });

    it('allows cross-origin calls only from the configured origins', async () => {
      const preflight = (client: ApiClient, origin: string) =>
        client.request('OPTIONS', '/api/v1/orders', {
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization,content-type,idempotency-key',
          },
        });
      // Preflights count against the address limit like any request: a fresh address each.
      const allowed = await preflight(clients[0]!.from(freshAddress()), ALLOWED_ORIGIN);
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
      expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
        'idempotency-key',
      );

      const other = await preflight(clients[0]!.from(freshAddress()), 'https://evil.example');
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      // The platform's own gateway is configured with no origins: no cross-origin access.
      const unconfigured = await preflight(anonymous(), ALLOWED_ORIGIN);
      expect(unconfigured.headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});
