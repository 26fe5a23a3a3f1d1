import { StockStatus, type Product } from '@ordermesh/contracts';
import { composeViews } from './product-view';

const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });
const product = (productId: string): Product => ({
  productId,
  name: `P ${productId}`,
  description: '',
  category: 'books',
  attributes: {},
  basePrice: eur(1000),
  createdAt: '2026-11-25T00:00:00.000Z',
  updatedAt: '2026-11-25T00:00:00.000Z',
});
const level = (productId: string, available: number) => ({
  productId,
  available,
  reserved: 0,
  sold: 0,
  updatedAt: '',
});
const price = (productId: string) => ({
  productId,
  listPrice: eur(1000),
  discountBps: 1000,
  unitPrice: eur(900),
  updatedAt: '',
});
const ok = <T>(value: T): PromiseSettledResult<T> => ({ status: 'fulfilled', value });
const down: PromiseSettledResult<never> = { status: 'rejected', reason: new Error('UNAVAILABLE') };

describe('composeViews', () => {
  it('adds live stock and the discounted price', () => {
    const [view] = composeViews(
      [product('a')],
      ok({ levels: [level('a', 3)], missingProductIds: [] }),
      ok({ prices: [price('a')], missingProductIds: [] }),
    );
    expect(view).toMatchObject({
      stock: { available: 3, status: StockStatus.IN_STOCK },
      price: { unitPrice: eur(900), discountBps: 1000, available: true },
      degraded: false,
    });
  });

  it('shows a never-stocked or unpriced product as out of stock at its base price, not degraded', () => {
    const [view] = composeViews(
      [product('a')],
      ok({ levels: [], missingProductIds: ['a'] }),
      ok({ prices: [], missingProductIds: ['a'] }),
    );
    expect(view).toMatchObject({
      stock: { available: 0, status: StockStatus.OUT_OF_STOCK },
      price: { unitPrice: eur(1000), available: false },
      degraded: false,
    });
  });

  it('degrades when inventory is unavailable: stock unavailable, price still live', () => {
    const [view] = composeViews(
      [product('a')],
      down,
      ok({ prices: [price('a')], missingProductIds: [] }),
    );
    expect(view).toMatchObject({
      stock: { available: 0, status: StockStatus.UNAVAILABLE },
      price: { unitPrice: eur(900), available: true },
      degraded: true,
    });
  });

  it('degrades when pricing is unavailable: the base price', () => {
    const [view] = composeViews(
      [product('a')],
      ok({ levels: [level('a', 0)], missingProductIds: [] }),
      down,
    );
    expect(view).toMatchObject({
      stock: { available: 0, status: StockStatus.OUT_OF_STOCK },
      price: { unitPrice: eur(1000), listPrice: eur(1000), discountBps: 0, available: false },
      degraded: true,
    });
  });
});
