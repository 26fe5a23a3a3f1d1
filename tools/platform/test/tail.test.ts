import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlatformError } from '../context.ts';
import { consoleConsumerArgs, decodeValue, parseRecord, parseTailArgs } from '../tail.ts';

const TOPICS = ['order.placed.v1', 'order.placed.v1.dlq'];
const F = '\u001f';
const H = '\u001e';

describe('tail arguments', () => {
  it('takes one known topic, latest by default, optional max and timeout', () => {
    assert.deepEqual(parseTailArgs(['order.placed.v1'], {}, TOPICS), {
      topic: 'order.placed.v1',
      from: 'latest',
      max: undefined,
      timeoutSeconds: undefined,
    });
    assert.deepEqual(
      parseTailArgs(['order.placed.v1'], { from: 'beginning', max: '3', timeout: '20' }, TOPICS),
      { topic: 'order.placed.v1', from: 'beginning', max: 3, timeoutSeconds: 20 },
    );
  });

  it('refuses an unknown topic with the list of topics, and bad values', () => {
    assert.throws(
      () => parseTailArgs(['order.lost.v1'], {}, TOPICS),
      (e: unknown) =>
        e instanceof PlatformError &&
        e.message === 'unknown topic "order.lost.v1"\ntopics: order.placed.v1, order.placed.v1.dlq',
    );
    assert.throws(() => parseTailArgs([], {}, TOPICS), /expected exactly one topic/);
    assert.throws(() => parseTailArgs(['order.placed.v1'], { from: 'end' }, TOPICS), /--from/);
    assert.throws(() => parseTailArgs(['order.placed.v1'], { max: '0' }, TOPICS), /--max/);
    assert.throws(
      () => parseTailArgs(['order.placed.v1'], { timeout: '1.5' }, TOPICS),
      /--timeout/,
    );
  });

  it('runs the console consumer with every field printed', () => {
    const args = consoleConsumerArgs(
      { topic: 'order.placed.v1', from: 'beginning', max: 2 },
      '127.0.0.1:19092',
    );
    assert.equal(args[0], 'org.apache.kafka.tools.consumer.ConsoleConsumer');
    for (const a of ['--from-beginning', '--max-messages', 'print.headers=true', 'print.key=true'])
      assert.ok(args.includes(a), a);
    assert.ok(
      !consoleConsumerArgs({ topic: 't', from: 'latest' }, 'b').includes('--from-beginning'),
    );
  });
});

describe('tail records', () => {
  it('decodes a record of the console consumer into time, place, key, type, headers and value', () => {
    const value = { id: 'e1', type: 'order.placed.v1', key: 'o1', data: { orderId: 'o1' } };
    const line = [
      'CreateTime:1764835200000',
      'Partition:2',
      'Offset:41',
      `traceparent:00-abc-def-01${H}event-type:order.placed.v1`,
      'o1',
      JSON.stringify(value),
    ].join(F);
    assert.deepEqual(parseRecord('order.placed.v1', line), {
      time: '2025-12-04T08:00:00.000Z',
      topic: 'order.placed.v1',
      partition: 2,
      offset: 41,
      key: 'o1',
      type: 'order.placed.v1',
      headers: { traceparent: '00-abc-def-01', 'event-type': 'order.placed.v1' },
      value,
    });
  });

  it('keeps a value that is not JSON as text, and a record without headers or key', () => {
    const e = parseRecord(
      't',
      ['CreateTime:0', 'Partition:0', 'Offset:0', 'NO_HEADERS', '\u0001null', 'plain text'].join(F),
    );
    assert.equal(e.key, null);
    assert.deepEqual(e.headers, {});
    assert.equal(e.value, 'plain text');
    assert.equal(e.type, null);
    assert.equal(decodeValue('{"a":1}') instanceof Object, true);
  });
});
