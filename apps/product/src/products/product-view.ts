import {
  StockStatus,
  type GetPricesResponse,
  type GetStockLevelsResponse,
  type Product,
  type ProductView,
} from '@ordermesh/contracts';

/**
 * Composes catalogue entries with stock and prices. A failed look-up (inventory or pricing down,
 * slow, or behind an open breaker) degrades the view instead of failing it: the base price, stock
 * marked unavailable, and `degraded` set.
 */
export function composeViews(
  products: Product[],
  stock: PromiseSettledResult<GetStockLevelsResponse>,
  prices: PromiseSettledResult<GetPricesResponse>,
): ProductView[] {
  const levels = new Map(
    stock.status === 'fulfilled' ? stock.value.levels.map((l) => [l.productId, l]) : [],
  );
  const priced = new Map(
    prices.status === 'fulfilled' ? prices.value.prices.map((p) => [p.productId, p]) : [],
  );
  const degraded = stock.status === 'rejected' || prices.status === 'rejected';
  return products.map((product) => {
    const level = levels.get(product.productId);
    const price = priced.get(product.productId);
    return {
      product,
      stock: level
        ? {
            available: level.available,
            status: level.available > 0 ? StockStatus.IN_STOCK : StockStatus.OUT_OF_STOCK,
          }
        : {
            available: 0,
            // Never stocked is out of stock; an unreachable inventory is "unavailable".
            status:
              stock.status === 'fulfilled' ? StockStatus.OUT_OF_STOCK : StockStatus.UNAVAILABLE,
          },
      price: price
        ? {
            unitPrice: price.unitPrice,
            listPrice: price.listPrice,
            discountBps: price.discountBps,
            available: true,
          }
        : {
            unitPrice: product.basePrice,
            listPrice: product.basePrice,
            discountBps: 0,
            available: false,
          },
      degraded,
    };
  });
}
