import { enumName, type NumericEnum } from '@ordermesh/contracts';

/** Enum values leave the API as lower-case names: OrderStatus.PENDING → "pending". */
export function present<E extends NumericEnum>(enumObject: E, value: number): string {
  return enumName(enumObject, value).toLowerCase();
}
