import {
  MAX_CART_LINES,
  addToCart,
  cartCookieName,
  parseCart,
  serializeCart,
  setQuantity,
} from './cart';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

describe('cart', () => {
  it('round-trips through its cookie value', () => {
    const lines = addToCart(addToCart([], A, 2), B, 1);
    expect(parseCart(serializeCart(lines))).toEqual([
      { productId: A, quantity: 2 },
      { productId: B, quantity: 1 },
    ]);
  });

  it('adds to an existing line instead of repeating the product', () => {
    expect(addToCart(addToCart([], A, 2), A, 3)).toEqual([{ productId: A, quantity: 5 }]);
  });

  it('sets and removes quantities', () => {
    const lines = addToCart(addToCart([], A, 2), B, 1);
    expect(setQuantity(lines, A, 7)).toEqual([
      { productId: A, quantity: 7 },
      { productId: B, quantity: 1 },
    ]);
    expect(setQuantity(lines, A, 0)).toEqual([{ productId: B, quantity: 1 }]);
  });

  it('refuses bad quantities and ids with a reason', () => {
    expect(() => addToCart([], A, 0)).toThrow('quantity must be a whole number from 1 to 1000');
    expect(() => addToCart([], A, 1.5)).toThrow('quantity must be a whole number');
    expect(() => addToCart([], 'not-an-id', 1)).toThrow('unknown product');
    expect(() => setQuantity([], A, -1)).toThrow('from 0 to 1000');
  });

  it('holds at most the lines one order may have', () => {
    let lines: ReturnType<typeof addToCart> = [];
    for (let i = 0; i < MAX_CART_LINES; i++) {
      lines = addToCart(lines, `${String(i).padStart(8, '0')}-1111-4111-8111-111111111111`, 1);
    }
    expect(() => addToCart(lines, A, 1)).toThrow(`at most ${MAX_CART_LINES} different products`);
  });

  it('reads a tampered or garbled cookie as what it can trust', () => {
    expect(parseCart('%%%')).toEqual([]);
    expect(parseCart(Buffer.from('{"a":1}').toString('base64url'))).toEqual([]);
    const forged = Buffer.from(
      JSON.stringify([
        [A, 5],
        [A, 2],
        ['x', 1],
        [B, -3],
        [B, 99999],
      ]),
    ).toString('base64url');
    expect(parseCart(forged)).toEqual([
      { productId: A, quantity: 7 },
      { productId: B, quantity: 1000 },
    ]);
  });

  it('keeps one cookie per customer', () => {
    expect(cartCookieName(A)).toBe(`om_cart_${A}`);
    expect(cartCookieName('a;b=c')).toBe('om_cart_abc');
  });
});
