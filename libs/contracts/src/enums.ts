/**
 * JSON mapping for the generated numeric enums (generated without the proto prefix, so
 * `OrderStatus.PENDING === 1` and `OrderStatus[1] === 'PENDING'`). Events and the REST gateway use
 * these names.
 */
export type NumericEnum = Record<string, string | number>;

/** Name of an enum value, e.g. `enumName(OrderStatus, 1) === 'PENDING'`; throws RangeError if unknown. */
export function enumName<E extends NumericEnum>(
  enumObject: E,
  value: number,
): Extract<keyof E, string> {
  const name: unknown = (enumObject as Record<number, unknown>)[value];
  if (typeof name !== 'string') throw new RangeError(`unknown enum value ${value}`);
  return name as Extract<keyof E, string>;
}

/** Value of an enum name, e.g. `enumValue(OrderStatus, 'PENDING') === 1`; undefined if unknown. */
export function enumValue<E extends NumericEnum>(
  enumObject: E,
  name: string,
): E[keyof E] | undefined {
  if (!Object.hasOwn(enumObject, name)) return undefined;
  const value = enumObject[name];
  return typeof value === 'number' ? (value as E[keyof E]) : undefined;
}
