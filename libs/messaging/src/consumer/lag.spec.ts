import { groupLag, topicLag } from './lag';

describe('consumer lag', () => {
  it('sums high watermark minus committed offset over partitions', () => {
    const watermarks = [
      { partition: 0, low: '0', high: '10' },
      { partition: 1, low: '0', high: '5' },
      { partition: 2, low: '0', high: '7' },
    ];
    const commits = [
      { partition: 0, offset: '10' },
      { partition: 1, offset: '2' },
      { partition: 2, offset: '7' },
    ];
    expect(topicLag(watermarks, commits)).toBe(3);
  });

  it('counts every retained record of a partition without a commit', () => {
    expect(
      topicLag(
        [
          { partition: 0, low: '4', high: '10' },
          { partition: 1, low: '0', high: '0' },
        ],
        [
          { partition: 0, offset: '-1' },
          { partition: 1, offset: '-1' },
        ],
      ),
    ).toBe(6);
  });

  it('never reports negative lag, and treats a commit below the low watermark as the low one', () => {
    expect(
      topicLag(
        [
          { partition: 0, low: '50', high: '60' },
          { partition: 1, low: '0', high: '3' },
        ],
        [
          { partition: 0, offset: '20' },
          { partition: 1, offset: '9' },
        ],
      ),
    ).toBe(10);
  });

  it('asks the admin client once for the group and once per topic', async () => {
    const admin = {
      fetchOffsets: jest.fn(async () => [
        { topic: 'a.v1', partitions: [{ partition: 0, offset: '1' }] },
        { topic: 'b.v1', partitions: [{ partition: 0, offset: '-1' }] },
      ]),
      fetchTopicOffsets: jest.fn(async (topic: string) => [
        { partition: 0, low: '0', high: topic === 'a.v1' ? '4' : '2' },
      ]),
    };
    const lags = await groupLag(admin, 'order', ['a.v1', 'b.v1']);
    expect([...lags]).toEqual([
      ['a.v1', 3],
      ['b.v1', 2],
    ]);
    expect(admin.fetchOffsets).toHaveBeenCalledWith({ groupId: 'order', topics: ['a.v1', 'b.v1'] });
  });
});
