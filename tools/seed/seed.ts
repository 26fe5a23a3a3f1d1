// Loads the demo data into a running platform: the local admin, a demo customer, a small
// catalogue with stock and prices. Idempotent: what exists already is left as it is.
// Run by `npx ordermesh seed` (and `make up`); standalone: node tools/seed/seed.ts [--profile p]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type * as Grpc from '@grpc/grpc-js';
import { type JsonResponse, expectStatus, requestJson } from '../platform/http.ts';
import { platform } from '../platform/index.ts';
import type { Profile } from '../platform/index.ts';
import { CATALOGUE, DEMO_CUSTOMER, adminCredentials } from './demo-data.ts';

const require = createRequire(import.meta.url);
const grpc = require('@grpc/grpc-js') as typeof Grpc;
const protoLoader = require('@grpc/proto-loader') as typeof import('@grpc/proto-loader');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PROTO_ROOT = path.join(root, 'libs/contracts/proto');
const ALREADY_EXISTS = 6;
const USER_ROLE_ADMIN = 2;

type Json = Record<string, unknown>;

/** The admin is created over the user service's internal gRPC API: the public API never can. */
async function ensureAdmin(userGrpcAddr: string, email: string, password: string): Promise<void> {
  const definition = protoLoader.loadSync(path.join(PROTO_ROOT, 'ordermesh/user/v1/user.proto'), {
    includeDirs: [PROTO_ROOT],
    defaults: true,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    ordermesh: { user: { v1: { UserService: typeof Grpc.Client } } };
  };
  const client = new loaded.ordermesh.user.v1.UserService(
    userGrpcAddr,
    grpc.credentials.createInsecure(),
  ) as Grpc.Client & {
    RegisterUser: (
      req: Json,
      opts: Grpc.CallOptions,
      cb: (err: Grpc.ServiceError | null) => void,
    ) => void;
  };
  try {
    await new Promise<void>((resolve, reject) =>
      client.RegisterUser(
        { email, password, name: 'Local Admin', role: USER_ROLE_ADMIN },
        { deadline: Date.now() + 10_000 },
        (error) => (!error || error.code === ALREADY_EXISTS ? resolve() : reject(error)),
      ),
    );
  } finally {
    client.close();
  }
}

/** The longest Retry-After the seed waits out (once per request) before it gives up. */
const MAX_RETRY_AFTER_SECONDS = 65;

async function api(
  base: string,
  method: string,
  urlPath: string,
  body?: unknown,
  token?: string,
): Promise<JsonResponse<Json>> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const send = () => requestJson<Json>(`${base}/api/v1${urlPath}`, { method, body, headers });
  const answer = await send();
  const wait = answer.retryAfterSeconds;
  if (answer.status !== 429 || wait === undefined || wait > MAX_RETRY_AFTER_SECONDS) return answer;
  // The gateway limits requests per client address; the seed shares its address with whatever
  // ran before it (one port-forward carries every client), so it waits as the gateway asks.
  process.stderr.write(`seed: ${method} ${urlPath} rate limited, retrying in ${wait} s\n`);
  await new Promise((resolve) => setTimeout(resolve, wait * 1000));
  return send();
}

export async function seed(profile?: Profile): Promise<void> {
  const info = platform(profile).connectionInfo();
  await seedAt(info.services['gateway']!.http, info.services['user']!.grpc!);
}

/** Seeds the platform behind `gateway` (its URL) whose user service answers gRPC at `userGrpc`. */
export async function seedAt(gateway: string, userGrpc: string): Promise<void> {
  const admin = adminCredentials(process.env);

  await ensureAdmin(userGrpc, admin.email, admin.password);
  const login = await api(gateway, 'POST', '/auth/login', admin);
  expectStatus(login, [200], 'admin login');
  const token = String(login.body['accessToken']);

  const registered = await api(gateway, 'POST', '/auth/register', DEMO_CUSTOMER);
  expectStatus(registered, [201, 409], 'demo customer');

  // Existing catalogue by name; what is missing is created, what lacks a price gets one, and a
  // demo product that is out of stock (or was never stocked) is stocked again.
  const existing = new Map<string, Json>();
  let pageToken = '';
  do {
    const query = `/products?pageSize=100${pageToken ? `&pageToken=${pageToken}` : ''}`;
    const page = await api(gateway, 'GET', query);
    expectStatus(page, [200], 'list products');
    for (const item of page.body['items'] as Json[]) existing.set(String(item['name']), item);
    pageToken = typeof page.body['nextPageToken'] === 'string' ? page.body['nextPageToken'] : '';
  } while (pageToken);

  let created = 0;
  for (const product of CATALOGUE) {
    const { stock, discountBps, ...catalogue } = product;
    let view = existing.get(product.name);
    if (!view) {
      const result = await api(gateway, 'POST', '/products', catalogue, token);
      expectStatus(result, [201], `create ${product.name}`);
      view = result.body;
      created += 1;
    }
    const id = String(view['id']);
    if (!(view['price'] as Json | undefined)?.['available']) {
      const price = { listPrice: product.basePrice, discountBps };
      expectStatus(
        await api(gateway, 'PUT', `/prices/${id}`, price, token),
        [200],
        `price of ${product.name}`,
      );
    }
    if ((view['stock'] as Json | undefined)?.['status'] !== 'in_stock') {
      const quantity = { quantity: stock };
      expectStatus(
        await api(gateway, 'PUT', `/inventory/${id}`, quantity, token),
        [200],
        `stock of ${product.name}`,
      );
    }
  }
  process.stdout.write(
    `seed: admin ${admin.email}, demo customer ${DEMO_CUSTOMER.email}, ` +
      `${created} products created (${CATALOGUE.length - created} already there)\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // --gateway URL --user-grpc HOST:PORT seeds any platform (e.g. a cluster through port-forwards).
  const arg = (name: string): string | undefined => {
    const index = process.argv.indexOf(name);
    return index > 0 ? process.argv[index + 1] : undefined;
  };
  const gateway = arg('--gateway');
  const userGrpc = arg('--user-grpc');
  const run =
    gateway && userGrpc ? seedAt(gateway, userGrpc) : seed(arg('--profile') as Profile | undefined);
  run.catch((error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  });
}
