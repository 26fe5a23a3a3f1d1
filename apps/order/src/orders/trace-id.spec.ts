import { traceIdOf } from './orders.repository';

describe('traceIdOf', () => {
  it('takes the trace id out of a W3C traceparent', () => {
    expect(
      traceIdOf({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }),
    ).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('is empty without a (well-formed) one', () => {
    expect(traceIdOf(null)).toBe('');
    expect(traceIdOf({})).toBe('');
    expect(traceIdOf({ traceparent: 'garbage' })).toBe('');
  });
});
