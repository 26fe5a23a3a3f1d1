import { catalogueFilter } from './products.service';

describe('catalogueFilter', () => {
  it('filters by the normalised category', () => {
    expect(catalogueFilter(' Books ', '')).toEqual({ category: 'books' });
    expect(catalogueFilter('', '')).toEqual({});
  });

  it('searches names case-insensitively, the text taken literally', () => {
    expect(catalogueFilter('', ' lamp ')).toEqual({ name: { $regex: 'lamp', $options: 'i' } });
    const filter = catalogueFilter('', 'a.b*(c)');
    const pattern = new RegExp((filter['name'] as { $regex: string }).$regex, 'i');
    expect(pattern.test('A.B*(C) deluxe')).toBe(true);
    expect(pattern.test('axbbbc')).toBe(false);
  });

  it('refuses an over-long search with a reason', () => {
    expect(() => catalogueFilter('', 'x'.repeat(101))).toThrow(
      'query must be at most 100 characters',
    );
  });
});
