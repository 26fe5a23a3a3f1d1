import { status } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
import { parseProductIds, parseSetPrice, sameTerms } from './price.rules';

const P = '00000000-0000-4000-8000-00000000000a';

function grpcError(fn: () => unknown): { code: number; message: string } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RpcException);
    return (error as RpcException).getError() as { code: number; message: string };
  }
  throw new Error('expected an error');
}

describe('parseSetPrice', () => {
  const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });

  it('derives the unit price, rounding half up', () => {
    expect(parseSetPrice({ productId: P, listPrice: eur(2000), discountBps: 1000 })).toEqual({
      productId: P,
      listAmountMinor: 2000,
      currency: 'EUR',
      discountBps: 1000,
      unitAmountMinor: 1800,
    });
    // 999 * 0.85 = 849.15 -> 849; 5 * 0.5 = 2.5 -> 3
    expect(
      parseSetPrice({ productId: P, listPrice: eur(999), discountBps: 1500 }).unitAmountMinor,
    ).toBe(849);
    expect(
      parseSetPrice({ productId: P, listPrice: eur(5), discountBps: 5000 }).unitAmountMinor,
    ).toBe(3);
  });

  it('accepts the bounds: free, 100 % off, the largest safe amount', () => {
    expect(parseSetPrice({ productId: P, listPrice: eur(0), discountBps: 0 }).unitAmountMinor).toBe(
      0,
    );
    expect(
      parseSetPrice({ productId: P, listPrice: eur(1999), discountBps: 10_000 }).unitAmountMinor,
    ).toBe(0);
    const max = Number.MAX_SAFE_INTEGER;
    expect(
      parseSetPrice({ productId: P, listPrice: eur(max), discountBps: 0 }).unitAmountMinor,
    ).toBe(max);
  });

  it('canonicalises the product id', () => {
    expect(
      parseSetPrice({ productId: P.toUpperCase(), listPrice: eur(1), discountBps: 0 }).productId,
    ).toBe(P);
  });

  it.each([
    ['a bad product id', { productId: 'x' }, 'product_id must be a UUID'],
    ['no list price', { listPrice: null }, 'list_price is required'],
    ['a negative amount', { listPrice: eur(-1) }, 'amount_minor'],
    ['a fractional amount', { listPrice: eur(1.5) }, 'amount_minor'],
    ['an unsafe amount', { listPrice: eur(2 ** 53) }, 'amount_minor'],
    ['a lower-case currency', { listPrice: { amountMinor: 1, currency: 'eur' } }, 'ISO 4217'],
    ['a long currency', { listPrice: { amountMinor: 1, currency: 'EURO' } }, 'ISO 4217'],
    ['a negative discount', { discountBps: -1 }, 'discount_bps'],
    ['a discount above 100 %', { discountBps: 10_001 }, 'discount_bps'],
  ])('refuses %s with INVALID_ARGUMENT', (_name, override, message) => {
    const error = grpcError(() =>
      parseSetPrice({ productId: P, listPrice: eur(100), discountBps: 0, ...override }),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.message).toContain(message);
  });
});

describe('sameTerms', () => {
  const base = parseSetPrice({
    productId: P,
    listPrice: { amountMinor: 1000, currency: 'EUR' },
    discountBps: 0,
  });

  it('compares list amount, currency and discount', () => {
    expect(sameTerms(base, { ...base })).toBe(true);
    expect(sameTerms(base, { ...base, listAmountMinor: 1001 })).toBe(false);
    expect(sameTerms(base, { ...base, currency: 'USD' })).toBe(false);
    expect(sameTerms(base, { ...base, discountBps: 1 })).toBe(false);
  });
});

describe('parseProductIds', () => {
  it('collapses duplicates and refuses bad ids or more than 100', () => {
    expect(parseProductIds([P, P.toUpperCase()])).toEqual([P]);
    expect(grpcError(() => parseProductIds(['nope'])).code).toBe(status.INVALID_ARGUMENT);
    expect(grpcError(() => parseProductIds(Array(101).fill(P))).message).toContain('at most 100');
  });
});
