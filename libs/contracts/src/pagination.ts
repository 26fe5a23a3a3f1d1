import { z } from 'zod';

/** Page size used when a request passes 0. */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** 0 or negative -> default, above the maximum -> maximum. */
export function normalizePageSize(
  pageSize: number | null | undefined,
  max = MAX_PAGE_SIZE,
): number {
  if (!pageSize || pageSize <= 0) return Math.min(DEFAULT_PAGE_SIZE, max);
  return Math.min(Math.trunc(pageSize), max);
}

/** Thrown by decodePageToken; servers map it to INVALID_ARGUMENT. */
export class InvalidPageTokenError extends Error {
  override readonly name = 'InvalidPageTokenError';
}

type Cursor = Record<string, string | number | boolean | null>;

/**
 * Opaque page token (base64url JSON) for a keyset cursor, e.g. `{ createdAt, id }` of the last row.
 * `query` identifies the filter (e.g. the customer id) so a token cannot be replayed on another
 * query.
 */
export function encodePageToken(cursor: Cursor, query = ''): string {
  return Buffer.from(JSON.stringify({ v: 1, q: query, c: cursor }), 'utf8').toString('base64url');
}

const tokenSchema = z.object({
  v: z.literal(1),
  q: z.string(),
  c: z.record(z.string(), z.unknown()),
});

/**
 * Reverses encodePageToken: undefined for an empty token (first page), the cursor validated by
 * `schema` otherwise. Throws InvalidPageTokenError for a malformed token or another query's token.
 */
export function decodePageToken<S extends z.ZodType<Cursor>>(
  token: string | null | undefined,
  schema: S,
  query = '',
): z.output<S> | undefined {
  if (!token) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidPageTokenError('malformed page token');
  }
  const parsed = tokenSchema.safeParse(payload);
  if (!parsed.success) throw new InvalidPageTokenError('malformed page token');
  if (parsed.data.q !== query)
    throw new InvalidPageTokenError('page token belongs to a different query');
  const cursor = schema.safeParse(parsed.data.c);
  if (!cursor.success) throw new InvalidPageTokenError('malformed page token');
  return cursor.data;
}
