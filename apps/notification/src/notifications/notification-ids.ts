import { createHash } from 'node:crypto';

/**
 * The notification id of (event, user): a name-based UUID (version 5 layout, SHA-1), so a replayed
 * event writes the very same notification instead of a second one.
 */
export function notificationId(eventId: string, userId: string): string {
  const hash = createHash('sha1').update(`ordermesh.notification:${eventId}:${userId}`).digest();
  hash.writeUInt8((hash.readUInt8(6) & 0x0f) | 0x50, 6);
  hash.writeUInt8((hash.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Redis keys (the platform gives notification its own logical database). */
export const keys = {
  /** Sorted set of a user's notification ids, score = event time (ms). */
  user: (userId: string) => `notifications:user:${userId}`,
  /** Hash with one notification's fields. */
  notification: (id: string) => `notification:${id}`,
  /** Deduplication mark of a consumed event (SET NX, with a TTL). */
  event: (eventId: string) => `notifications:event:${eventId}`,
};
