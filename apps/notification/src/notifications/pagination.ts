// Keyset pagination over a per-user sorted set (score = event time in ms), newest first; pure
// (unit-tested in pagination.spec.ts).
import { cursorFields } from '@ordermesh/contracts';
import { z } from 'zod';

export const cursorSchema = z.object({ s: cursorFields.score, id: z.string().max(128) });
export type Cursor = z.infer<typeof cursorSchema>;

export interface Entry {
  id: string;
  score: number;
}

/**
 * ZREVRANGEBYSCORE orders by score descending, then member descending: an entry comes after the
 * cursor (the last one returned) when its score is lower, or equal with a smaller id.
 */
export function isAfter(entry: Entry, cursor: Cursor): boolean {
  return entry.score < cursor.s || (entry.score === cursor.s && entry.id < cursor.id);
}

/** Pairs from `ZREVRANGEBYSCORE … WITHSCORES` (member, score, member, score, …). */
export function parseWithScores(raw: string[]): Entry[] {
  const entries: Entry[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const [id, score] = [raw[i], raw[i + 1]];
    if (id !== undefined && score !== undefined) entries.push({ id, score: Number(score) });
  }
  return entries;
}

/**
 * The page after `cursor` from entries read starting at the cursor's score (inclusive, so ties
 * of that score are filtered here). `hasMore` when more than `size` entries remain.
 */
export function selectPage(
  entries: Entry[],
  cursor: Cursor | undefined,
  size: number,
): { page: Entry[]; hasMore: boolean } {
  const remaining = cursor ? entries.filter((entry) => isAfter(entry, cursor)) : entries;
  return { page: remaining.slice(0, size), hasMore: remaining.length > size };
}
