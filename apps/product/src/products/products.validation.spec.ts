import { RpcException } from '@nestjs/microservices';
import { GrpcStatus } from '@ordermesh/service-kit';
import { validate } from './products.service';

const problemsOf = (attempt: () => void): string[] => {
  try {
    attempt();
    return [];
  } catch (error) {
    const payload = (error as RpcException).getError() as { code: number; message: string };
    expect(payload.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    return payload.message.split('; ');
  }
};

describe('catalogue validation', () => {
  const valid = {
    name: 'Lamp',
    category: 'home',
    basePrice: { amountMinor: 1999, currency: 'EUR' },
  };

  it('accepts a complete product', () => {
    expect(problemsOf(() => validate(valid, true))).toEqual([]);
  });

  it('reports every problem of a new product at once', () => {
    const problems = problemsOf(() =>
      validate({ name: ' ', basePrice: { amountMinor: -1, currency: 'euro' } }, true),
    );
    expect(problems).toEqual([
      'name must be 1 to 200 characters',
      'category is required',
      'base_price.amount_minor must be a non-negative integer',
      'base_price.currency must be an ISO 4217 code',
    ]);
  });

  it('lets an update leave fields out but not blank them', () => {
    expect(problemsOf(() => validate({ description: 'new' }, false))).toEqual([]);
    expect(problemsOf(() => validate({ category: '' }, false))).toEqual([
      'category must be 1 to 100 characters',
    ]);
  });

  it('refuses fractional money and too many attributes', () => {
    const attributes = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    expect(
      problemsOf(() =>
        validate(
          { ...valid, attributes, basePrice: { amountMinor: 19.99, currency: 'EUR' } },
          true,
        ),
      ),
    ).toEqual([
      'attributes: at most 50 entries',
      'base_price.amount_minor must be a non-negative integer',
    ]);
  });

  it('refuses attribute keys the store would read as operators or paths, and NUL in text', () => {
    const cases: Record<string, string>[] = [{ $gt: 'x' }, { 'a.b': 'x' }, { ok: 'a\u0000' }];
    for (const attributes of cases) {
      expect(problemsOf(() => validate({ ...valid, attributes }, true))).toHaveLength(1);
    }
    expect(problemsOf(() => validate({ ...valid, name: 'a\u0000' }, true))).toEqual([
      'name must not contain control characters',
    ]);
    expect(problemsOf(() => validate({ description: 'x\u0000' }, false))).toEqual([
      'description must not contain control characters',
    ]);
  });
});
