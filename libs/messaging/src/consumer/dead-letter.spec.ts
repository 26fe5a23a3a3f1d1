import { DLQ_HEADERS, deadLetterMessage } from './dead-letter';

describe('deadLetterMessage', () => {
  const record = {
    topic: 'order.placed.v1',
    partition: 2,
    offset: '41',
    key: Buffer.from('order-1'),
    value: Buffer.from('{not json'),
    headers: {
      'event-id': Buffer.from('e-1'),
      traceparent: Buffer.from('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
      'dlq-reason': Buffer.from('an earlier failure'),
    },
  };
  const failedAt = new Date('2026-11-25T12:00:00.000Z');

  it('keeps the original bytes and headers and says where and why it failed', () => {
    const message = deadLetterMessage(record, {
      reason: 'invalid event: bad JSON',
      group: 'notification',
      failedAt,
    });
    expect(message.key).toBe(record.key);
    expect(message.value).toBe(record.value);
    expect(message.headers).toEqual({
      'event-id': record.headers['event-id'],
      traceparent: record.headers.traceparent,
      [DLQ_HEADERS.reason]: 'invalid event: bad JSON',
      [DLQ_HEADERS.originalTopic]: 'order.placed.v1',
      [DLQ_HEADERS.originalPartition]: '2',
      [DLQ_HEADERS.originalOffset]: '41',
      [DLQ_HEADERS.failedAt]: '2026-11-25T12:00:00.000Z',
      [DLQ_HEADERS.consumerGroup]: 'notification',
    });
    expect(DLQ_HEADERS).toMatchObject({
      reason: 'dlq-reason',
      originalTopic: 'dlq-original-topic',
      originalPartition: 'dlq-original-partition',
      originalOffset: 'dlq-original-offset',
      failedAt: 'dlq-failed-at',
    });
  });

  it('bounds the reason header', () => {
    const message = deadLetterMessage(record, { reason: 'x'.repeat(5_000), group: 'g', failedAt });
    const reason = message.headers?.[DLQ_HEADERS.reason] as string;
    expect(reason.length).toBe(1_000);
    expect(reason.endsWith('…')).toBe(true);
  });

  it('copes with a record without key, value or headers', () => {
    const message = deadLetterMessage(
      { topic: 't', partition: 0, offset: '0', key: null, value: null },
      { reason: 'r', group: 'g', failedAt },
    );
    expect(message).toMatchObject({ key: null, value: null });
    expect(Object.keys(message.headers ?? {})).toHaveLength(6);
  });
});
