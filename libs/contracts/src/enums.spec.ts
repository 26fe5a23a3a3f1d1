import { enumName, enumValue } from './enums';
import { OrderStatus, UserRole } from './generated';

describe('enum JSON helpers', () => {
  it('maps values to prefix-less proto names and back', () => {
    expect(enumName(OrderStatus, OrderStatus.CONFIRMED)).toBe('CONFIRMED');
    expect(enumValue(OrderStatus, 'CONFIRMED')).toBe(OrderStatus.CONFIRMED);
    expect(enumValue(UserRole, 'ADMIN')).toBe(UserRole.ADMIN);
  });

  it('rejects unknown names and values', () => {
    expect(enumValue(OrderStatus, 'ORDER_STATUS_CONFIRMED')).toBeUndefined();
    expect(enumValue(OrderStatus, '2')).toBeUndefined();
    expect(enumValue(OrderStatus, 'constructor')).toBeUndefined();
    expect(() => enumName(OrderStatus, 42)).toThrow(RangeError);
  });
});
