import { z } from 'zod';
import {
  DEFAULT_PAGE_SIZE,
  InvalidPageTokenError,
  MAX_PAGE_SIZE,
  decodePageToken,
  encodePageToken,
  normalizePageSize,
} from './pagination';

const cursor = z.object({ createdAt: z.string(), id: z.string() });

describe('pagination', () => {
  it('normalizes page sizes', () => {
    expect(normalizePageSize(0)).toBe(DEFAULT_PAGE_SIZE);
    expect(normalizePageSize(undefined)).toBe(DEFAULT_PAGE_SIZE);
    expect(normalizePageSize(-5)).toBe(DEFAULT_PAGE_SIZE);
    expect(normalizePageSize(7)).toBe(7);
    expect(normalizePageSize(10_000)).toBe(MAX_PAGE_SIZE);
  });

  it('round-trips a cursor for the same query', () => {
    const token = encodePageToken({ createdAt: '2026-11-25T12:00:00.000Z', id: 'a' }, 'customer-1');
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodePageToken(token, cursor, 'customer-1')).toEqual({
      createdAt: '2026-11-25T12:00:00.000Z',
      id: 'a',
    });
    expect(decodePageToken('', cursor)).toBeUndefined();
  });

  it('rejects tampered tokens and tokens of another query', () => {
    const token = encodePageToken({ createdAt: 'x', id: 'a' }, 'customer-1');
    expect(() => decodePageToken(token, cursor, 'customer-2')).toThrow(InvalidPageTokenError);
    expect(() => decodePageToken('%%%', cursor)).toThrow(InvalidPageTokenError);
    expect(() => decodePageToken(encodePageToken({ id: 'a' }), cursor)).toThrow(
      InvalidPageTokenError,
    );
  });
});
