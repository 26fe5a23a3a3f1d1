import { parseAmount } from '../admin/admin.controller';
import { safeReturnPath } from './http';

describe('form helpers', () => {
  it('returns only to paths of this site', () => {
    expect(safeReturnPath('/orders/1?x=2')).toBe('/orders/1?x=2');
    expect(safeReturnPath('//evil.example/')).toBe('/');
    expect(safeReturnPath('/\\evil.example')).toBe('/');
    expect(safeReturnPath('https://evil.example/')).toBe('/');
    expect(safeReturnPath(undefined)).toBe('/');
  });

  it('reads decimal amounts as integer minor units', () => {
    expect(parseAmount('19.99')).toBe(1999);
    expect(parseAmount('19,5')).toBe(1950);
    expect(parseAmount('7')).toBe(700);
    expect(parseAmount('1.999')).toBeNaN();
    expect(parseAmount('-1')).toBeNaN();
  });
});
