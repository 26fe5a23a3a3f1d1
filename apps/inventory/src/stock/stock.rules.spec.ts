import { status } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
import {
  DEFAULT_TTL_SECONDS,
  MAX_LOOKUP_IDS,
  decide,
  mergeLines,
  parseProductIds,
  parseQuantity,
  parseReason,
  parseReserve,
} from './stock.rules';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';
const ORDER = '11111111-1111-4111-8111-111111111111';

function grpcError(fn: () => unknown): { code: number; message: string } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RpcException);
    return (error as RpcException).getError() as { code: number; message: string };
  }
  throw new Error('expected an error');
}

describe('parseReserve', () => {
  const valid = { orderId: ORDER, lines: [{ productId: B, quantity: 2 }], ttlSeconds: 60 };

  it('sorts lines by product id and canonicalises ids', () => {
    const parsed = parseReserve({
      orderId: ORDER.toUpperCase(),
      lines: [
        { productId: C.toUpperCase(), quantity: 1 },
        { productId: A, quantity: 3 },
        { productId: B, quantity: 2 },
      ],
      ttlSeconds: 30,
    });
    expect(parsed).toEqual({
      orderId: ORDER,
      lines: [
        { productId: A, quantity: 3 },
        { productId: B, quantity: 2 },
        { productId: C, quantity: 1 },
      ],
      ttlSeconds: 30,
    });
  });

  it('uses the default TTL for 0 and accepts the bounds', () => {
    expect(parseReserve({ ...valid, ttlSeconds: 0 }).ttlSeconds).toBe(DEFAULT_TTL_SECONDS);
    expect(parseReserve({ ...valid, ttlSeconds: 1 }).ttlSeconds).toBe(1);
    expect(parseReserve({ ...valid, ttlSeconds: 86_400 }).ttlSeconds).toBe(86_400);
  });

  it.each([
    ['a bad order id', { orderId: 'nope' }, 'order_id must be a UUID'],
    ['no lines', { lines: [] }, 'lines must have 1 to 50 entries'],
    [
      'too many lines',
      {
        lines: Array.from({ length: 51 }, (_, i) => ({
          productId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          quantity: 1,
        })),
      },
      'lines must have 1 to 50 entries',
    ],
    ['quantity 0', { lines: [{ productId: A, quantity: 0 }] }, 'quantity must be an integer'],
    ['quantity > 1000', { lines: [{ productId: A, quantity: 1001 }] }, 'in 1..1000'],
    ['a fractional quantity', { lines: [{ productId: A, quantity: 1.5 }] }, 'quantity must'],
    ['a bad product id', { lines: [{ productId: 'x', quantity: 1 }] }, 'product_id must be a UUID'],
    [
      'a duplicate product',
      {
        lines: [
          { productId: A, quantity: 1 },
          { productId: A.toUpperCase(), quantity: 2 },
        ],
      },
      'appears more than once',
    ],
    ['a negative TTL', { ttlSeconds: -1 }, 'ttl_seconds'],
    ['a TTL above a day', { ttlSeconds: 86_401 }, 'ttl_seconds'],
  ])('refuses %s with INVALID_ARGUMENT', (_name, override, message) => {
    const error = grpcError(() => parseReserve({ ...valid, ...override }));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.message).toContain(message);
  });

  it('reports every problem at once', () => {
    const error = grpcError(() =>
      parseReserve({ orderId: 'x', lines: [{ productId: 'y', quantity: 0 }], ttlSeconds: -5 }),
    );
    expect(error.message.split('; ')).toHaveLength(4);
  });
});

describe('parseProductIds', () => {
  it('collapses duplicates in request order', () => {
    expect(parseProductIds([B, A, B.toUpperCase()])).toEqual([B, A]);
  });

  it('accepts an empty list and refuses bad ids or too many', () => {
    expect(parseProductIds([])).toEqual([]);
    expect(grpcError(() => parseProductIds([A, 'bad'])).code).toBe(status.INVALID_ARGUMENT);
    const many = Array.from({ length: MAX_LOOKUP_IDS + 1 }, () => A);
    expect(grpcError(() => parseProductIds(many)).message).toContain('at most 100');
  });
});

describe('parseQuantity and parseReason', () => {
  it('accepts 0..1,000,000 whole units', () => {
    expect(parseQuantity(0)).toBe(0);
    expect(parseQuantity(1_000_000)).toBe(1_000_000);
    for (const bad of [-1, 1_000_001, 2.5, Number.NaN]) {
      expect(grpcError(() => parseQuantity(bad)).code).toBe(status.INVALID_ARGUMENT);
    }
  });

  it('trims reasons and limits their length', () => {
    expect(parseReason('  payment declined ')).toBe('payment declined');
    expect(parseReason('')).toBe('');
    expect(grpcError(() => parseReason('x'.repeat(501))).code).toBe(status.INVALID_ARGUMENT);
  });
});

describe('decide (reservation state machine)', () => {
  it.each([
    ['commit', 'reserved', { kind: 'apply', to: 'committed' }],
    ['commit', 'committed', { kind: 'noop' }],
    ['commit', 'released', 'reject'],
    ['commit', 'expired', 'reject'],
    ['commit', 'restocked', 'reject'],
    ['release', 'reserved', { kind: 'apply', to: 'released' }],
    ['release', 'released', { kind: 'noop' }],
    ['release', 'expired', { kind: 'noop' }],
    ['release', 'committed', 'reject'],
    ['release', 'restocked', 'reject'],
    ['restock', 'committed', { kind: 'apply', to: 'restocked' }],
    ['restock', 'restocked', { kind: 'noop' }],
    ['restock', 'reserved', 'reject'],
    ['restock', 'released', 'reject'],
    ['restock', 'expired', 'reject'],
  ] as const)('%s on %s', (operation, state, expected) => {
    const decision = decide(operation, state);
    if (expected === 'reject') expect(decision.kind).toBe('reject');
    else expect(decision).toEqual(expected);
  });
});

describe('mergeLines', () => {
  it('sums per product and sorts by product id', () => {
    expect(
      mergeLines([
        { productId: C, quantity: 1 },
        { productId: A, quantity: 2 },
        { productId: C, quantity: 4 },
      ]),
    ).toEqual([
      { productId: A, quantity: 2 },
      { productId: C, quantity: 5 },
    ]);
  });
});
