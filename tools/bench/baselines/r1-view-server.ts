// Baseline R1: the product view of `GET /api/v1/products/:id` as a bare node:http handler in one
// process: the catalogue entry from FerretDB (mongodb driver, the product service's collection),
// price and stock from PostgreSQL (pg, the pricing and inventory services' tables), composed as
// the product service does. The box's ceiling for that read.
//
//   R1_MONGO_URL=… R1_PRICING_URL=… R1_INVENTORY_URL=… node r1-view-server.ts
//   → prints {"port":N} once it listens on 127.0.0.1 (an ephemeral port)
import http from 'node:http';
import { mongodb, pg } from './drivers.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const { MongoClient } = mongodb();
const { Pool } = pg();
const mongo = new MongoClient(env('R1_MONGO_URL'), { maxPoolSize: 10 });
await mongo.connect();
const products = mongo.db().collection('products');
const pricing = new Pool({ connectionString: env('R1_PRICING_URL'), max: 8 });
const inventory = new Pool({ connectionString: env('R1_INVENTORY_URL'), max: 8 });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function view(id: string): Promise<unknown | null> {
  const product = await products.findOne({ _id: id });
  if (!product) return null;
  const [prices, levels] = await Promise.all([
    pricing.query(
      'SELECT product_id, list_amount_minor, currency, discount_bps, unit_amount_minor FROM prices WHERE product_id = ANY($1::uuid[])',
      [[id]],
    ),
    inventory.query(
      'SELECT product_id, available, reserved, sold, updated_at FROM stock_levels WHERE product_id = ANY($1::uuid[])',
      [[id]],
    ),
  ]);
  const price = prices.rows[0] as Record<string, string | number> | undefined;
  const level = levels.rows[0] as { available: number } | undefined;
  const base = product['basePrice'] as { amountMinor: number; currency: string };
  return {
    product: {
      productId: product['_id'],
      name: product['name'],
      description: product['description'],
      category: product['category'],
      attributes: product['attributes'] ?? {},
      basePrice: base,
    },
    stock: level
      ? { available: level.available, status: level.available > 0 ? 'IN_STOCK' : 'OUT_OF_STOCK' }
      : { available: 0, status: 'OUT_OF_STOCK' },
    price: price
      ? {
          unitPrice: {
            amountMinor: Number(price['unit_amount_minor']),
            currency: price['currency'],
          },
          listPrice: {
            amountMinor: Number(price['list_amount_minor']),
            currency: price['currency'],
          },
          discountBps: price['discount_bps'],
          available: true,
        }
      : { unitPrice: base, listPrice: base, discountBps: 0, available: false },
    degraded: false,
  };
}

const server = http.createServer((request, response) => {
  const match = /^\/api\/v1\/products\/([^/?]+)$/.exec(request.url ?? '');
  const send = (status: number, body: unknown) => {
    const text = JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    response.end(text);
  };
  if (request.method !== 'GET' || !match || !UUID.test(match[1]!)) {
    send(404, { message: 'not found' });
    return;
  }
  view(match[1]!).then(
    (body) => (body ? send(200, body) : send(404, { message: 'product not found' })),
    (error: unknown) => send(503, { message: String(error) }),
  );
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(
    `${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`,
  );
});

const stop = () => {
  server.close();
  void Promise.allSettled([mongo.close(), pricing.end(), inventory.end()]).then(() =>
    process.exit(0),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop).resume(); // the benchmark is gone
