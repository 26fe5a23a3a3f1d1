// The shipment state machine, free of I/O (unit-tested in shipment-state.spec.ts). Statuses are
// the proto enum names (ShipmentStatus in @ordermesh/contracts).
import { randomInt } from 'node:crypto';

export type ShipmentStatusName = 'CREATED' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED';

export interface Rejection {
  reject: string;
}

export function isRejection(value: unknown): value is Rejection {
  return typeof value === 'object' && value !== null && 'reject' in value;
}

export type StatusChange = 'ship' | 'deliver' | 'cancel';

/**
 * UpdateShipmentStatus: CREATED -> SHIPPED -> DELIVERED, or CREATED -> CANCELLED. Setting the
 * current status again is a no-op; anything else (backwards, skipping SHIPPED, leaving a terminal
 * status) is FAILED_PRECONDITION.
 */
export function statusChange(
  from: ShipmentStatusName,
  to: ShipmentStatusName,
): StatusChange | 'noop' | Rejection {
  if (from === to) return 'noop';
  if (from === 'CREATED' && to === 'SHIPPED') return 'ship';
  if (from === 'SHIPPED' && to === 'DELIVERED') return 'deliver';
  if (from === 'CREATED' && to === 'CANCELLED') return 'cancel';
  return { reject: `a ${from} shipment cannot become ${to}` };
}

/**
 * What order.cancelled.v1 does to the order's shipment: a not yet shipped one is cancelled; once
 * it left the warehouse, the cancellation is too late for shipping (the order service and the
 * customer sort that out) and the shipment is kept.
 */
export function onOrderCancelled(status: ShipmentStatusName): 'cancel' | 'keep' | 'already' {
  if (status === 'CREATED') return 'cancel';
  if (status === 'CANCELLED') return 'already';
  return 'keep';
}

/** Crockford base32 without I, L, O, U: no ambiguous characters on a parcel label. */
const TRACKING_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** E.g. `OM4K7Q2ZC9WX1B`: "OM" and 12 random characters (60 bits). */
export function newTrackingNumber(random: (max: number) => number = randomInt): string {
  let out = 'OM';
  for (let i = 0; i < 12; i++) out += TRACKING_ALPHABET[random(TRACKING_ALPHABET.length)];
  return out;
}
