import { type Span, trace } from '@opentelemetry/api';
import {
  MAX_ATTRIBUTE_LENGTH,
  ORDERMESH_SPAN_ATTRIBUTES,
  type OrdermeshSpanAttributes,
  setSpanAttributes,
} from './span-attributes';

function fakeSpan(recording = true) {
  const set: Record<string, unknown> = {};
  const span = {
    isRecording: () => recording,
    setAttribute: (key: string, value: unknown) => {
      set[key] = value;
      return span;
    },
  } as unknown as Span;
  return { span, set };
}

describe('setSpanAttributes', () => {
  it('sets registered ordermesh.* attributes and skips empty values', () => {
    const { span, set } = fakeSpan();
    setSpanAttributes(
      {
        'ordermesh.order.id': '3f2b0c1e-8d7a-4b8e-9c1d-2a3b4c5d6e7f',
        'ordermesh.saga.step': 'reserve_stock',
        'ordermesh.order.line_count': 2,
        'ordermesh.idempotent_replay': false,
        'ordermesh.reason': '',
        'ordermesh.outcome': undefined,
      },
      span,
    );
    expect(set).toEqual({
      'ordermesh.order.id': '3f2b0c1e-8d7a-4b8e-9c1d-2a3b4c5d6e7f',
      'ordermesh.saga.step': 'reserve_stock',
      'ordermesh.order.line_count': 2,
      'ordermesh.idempotent_replay': false,
    });
  });

  it('ignores names outside the registry (e.g. personal data) and truncates long strings', () => {
    const { span, set } = fakeSpan();
    const attributes = {
      'ordermesh.customer.email': 'someone@example.com',
      'ordermesh.outcome': 'x'.repeat(500),
    } as unknown as OrdermeshSpanAttributes;
    setSpanAttributes(attributes, span);
    expect(Object.keys(set)).toEqual(['ordermesh.outcome']);
    expect((set['ordermesh.outcome'] as string).length).toBe(MAX_ATTRIBUTE_LENGTH);
  });

  it('is a no-op without a recording span', () => {
    const { span, set } = fakeSpan(false);
    setSpanAttributes({ 'ordermesh.order.id': 'x' }, span);
    expect(set).toEqual({});
    expect(trace.getActiveSpan()).toBeUndefined();
    expect(() => setSpanAttributes({ 'ordermesh.order.id': 'x' })).not.toThrow();
  });

  it('registers only ordermesh.* names, each once', () => {
    expect(ORDERMESH_SPAN_ATTRIBUTES.every((name) => name.startsWith('ordermesh.'))).toBe(true);
    expect(new Set(ORDERMESH_SPAN_ATTRIBUTES).size).toBe(ORDERMESH_SPAN_ATTRIBUTES.length);
  });
});
