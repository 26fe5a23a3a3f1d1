import { isAfter, parseWithScores, selectPage, type Entry } from './pagination';

// As ZREVRANGEBYSCORE returns them: score descending, then id descending.
const entries: Entry[] = [
  { id: 'c', score: 300 },
  { id: 'b2', score: 200 },
  { id: 'b1', score: 200 },
  { id: 'a', score: 100 },
];

describe('parseWithScores', () => {
  it('pairs members with numeric scores', () => {
    expect(parseWithScores(['c', '300', 'b2', '200'])).toEqual(entries.slice(0, 2));
  });
});

describe('selectPage', () => {
  it('returns the first page and whether more follow', () => {
    expect(selectPage(entries, undefined, 2)).toEqual({ page: entries.slice(0, 2), hasMore: true });
    expect(selectPage(entries, undefined, 4)).toEqual({ page: entries, hasMore: false });
  });

  it('continues after the cursor, also in the middle of equal scores', () => {
    expect(selectPage(entries, { s: 200, id: 'b2' }, 2)).toEqual({
      page: [entries[2], entries[3]],
      hasMore: false,
    });
    expect(selectPage(entries, { s: 300, id: 'c' }, 1)).toEqual({
      page: [entries[1]],
      hasMore: true,
    });
  });

  it('walks every entry exactly once, whatever the page size', () => {
    for (let size = 1; size <= 5; size++) {
      const seen: string[] = [];
      let cursor: { s: number; id: string } | undefined;
      for (;;) {
        const { page, hasMore } = selectPage(entries, cursor, size);
        seen.push(...page.map((e) => e.id));
        if (!hasMore) break;
        const last = page.at(-1);
        if (!last) throw new Error('a page with more after it cannot be empty');
        cursor = { s: last.score, id: last.id };
      }
      expect(seen).toEqual(['c', 'b2', 'b1', 'a']);
    }
  });

  it('isAfter orders by score, then id, descending', () => {
    expect(isAfter({ id: 'z', score: 1 }, { s: 2, id: 'a' })).toBe(true);
    expect(isAfter({ id: 'a', score: 2 }, { s: 2, id: 'b' })).toBe(true);
    expect(isAfter({ id: 'b', score: 2 }, { s: 2, id: 'b' })).toBe(false);
    expect(isAfter({ id: 'a', score: 3 }, { s: 2, id: 'b' })).toBe(false);
  });
});
