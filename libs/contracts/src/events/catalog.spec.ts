import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SERVICE_NAMES } from '../services';
import {
  EVENT_TYPES,
  eventCatalog,
  eventsConsumedBy,
  eventsProducedBy,
  getEventDefinition,
  topicSpecs,
} from './catalog';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');

describe('eventCatalog', () => {
  it('has one entry per defined type, keyed by its type, topic = type', () => {
    expect(Object.keys(eventCatalog)).toEqual(EVENT_TYPES);
    for (const type of EVENT_TYPES) {
      const definition = getEventDefinition(type);
      expect(definition.type).toBe(type);
      expect(definition.topic).toBe(type);
      expect(type).toMatch(/^[a-z]+\.[a-z_]+\.v[1-9]\d*$/);
    }
  });

  it('has unique topics with at least one partition', () => {
    const topics = EVENT_TYPES.map((t) => getEventDefinition(t).topic);
    expect(new Set(topics).size).toBe(topics.length);
    for (const t of EVENT_TYPES)
      expect(Number.isInteger(getEventDefinition(t).partitions)).toBe(true);
    for (const t of EVENT_TYPES) expect(getEventDefinition(t).partitions).toBeGreaterThanOrEqual(1);
  });

  it('names a known producer, known consumers other than the producer, and a key field', () => {
    for (const type of EVENT_TYPES) {
      const { producer, consumers, keyField, schema } = getEventDefinition(type);
      expect(SERVICE_NAMES).toContain(producer);
      for (const consumer of consumers) expect(SERVICE_NAMES).toContain(consumer);
      expect(consumers).not.toContain(producer);
      expect(new Set(consumers).size).toBe(consumers.length);
      expect(Object.keys(schema.shape)).toContain(keyField);
    }
  });

  it('answers who produces and consumes what', () => {
    expect(eventsProducedBy('order')).toEqual([
      'order.placed.v1',
      'order.confirmed.v1',
      'order.cancelled.v1',
    ]);
    expect(eventsConsumedBy('shipping')).toEqual(['order.confirmed.v1', 'order.cancelled.v1']);
  });

  it('matches the committed topics.json (regenerate with `npm run proto:gen`)', () => {
    const committed: unknown = JSON.parse(
      readFileSync(path.join(__dirname, 'topics.json'), 'utf8'),
    );
    expect(committed).toEqual(topicSpecs());
  });

  it('is documented in docs/events.md (type, producer, consumers, key)', () => {
    const doc = readFileSync(path.join(REPO, 'docs', 'events.md'), 'utf8');
    const rows = new Map<string, string[]>();
    for (const match of doc.matchAll(/^\| `([a-z._0-9]+)` \|(.*)\|\s*$/gm)) {
      rows.set(
        match[1] as string,
        (match[2] as string).split('|').map((cell) => cell.trim()),
      );
    }
    expect([...rows.keys()].sort()).toEqual([...EVENT_TYPES].sort());
    for (const type of EVENT_TYPES) {
      const { producer, consumers, keyField } = getEventDefinition(type);
      const [docProducer, docConsumers, docKey] = rows.get(type) ?? [];
      expect({ type, producer: docProducer, consumers: docConsumers, key: docKey }).toEqual({
        type,
        producer,
        consumers: consumers.length ? consumers.join(', ') : '–',
        key: keyField,
      });
    }
  });
});
