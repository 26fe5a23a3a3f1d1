import fc from 'fast-check';
import { userRegisteredV1Schema } from './events/user.registered.v1';
import {
  TEXT_RULES,
  attributesProblems,
  cursorFields,
  emailProblem,
  textProblem,
} from './field-rules';

const registered = (email: string) =>
  userRegisteredV1Schema.safeParse({
    userId: '6f1c1f0e-0000-4000-8000-000000000000',
    email,
    name: 'Ada',
    role: 'CUSTOMER',
    registeredAt: '2026-12-03T08:00:00.000Z',
  }).success;

describe('the shared field rules', () => {
  it('accepts exactly the emails user.registered.v1 carries (lower-cased, as stored)', () => {
    for (const email of ['ada@example.com', 'a.b+tag@sub.example.de', "o'neil@example.org"]) {
      expect(emailProblem('email', email)).toBeUndefined();
      expect(registered(email)).toBe(true);
    }
    for (const email of [
      'jürgen@example.de',
      'ada@exämple.de',
      '"quoted"@example.com',
      'a!b#c$d%e&f*g=h?i^j`k{l|m}n~o@example.com',
      'ada@example',
      '.ada@example.com',
      'ada\u0000@example.com',
      `${'a'.repeat(250)}@x.de`,
    ]) {
      expect(emailProblem('email', email)).toMatch(/email/);
    }
    fc.assert(
      fc.property(
        fc.oneof(fc.emailAddress(), fc.string(), fc.string({ unit: 'grapheme' })),
        (raw) => {
          const email = raw.trim().toLowerCase();
          expect(emailProblem('email', email) === undefined).toBe(registered(email));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('refuses NUL and other control characters in every text field', () => {
    for (const [name, rule] of Object.entries(TEXT_RULES)) {
      const ok = 'x'.repeat(Math.max(rule.min, 8));
      expect(textProblem(name, ok, rule)).toBeUndefined();
      expect(textProblem(name, `${ok}\u0000`, rule)).toMatch(/control characters/);
      expect(textProblem(name, `${ok}\u001b[2J`, rule)).toMatch(/control characters/);
      expect(textProblem(name, `${ok}\ud800`, rule)).toMatch(/Unicode/);
      expect(textProblem(name, 'x'.repeat(rule.max + 1), rule)).toMatch(/characters/);
      expect(textProblem(name, 42, rule)).toMatch(/must be a string/);
    }
    expect(textProblem('name', '   ', TEXT_RULES.personName)).toMatch(/1 to 200/);
    expect(textProblem('reason', 'line\nbreak', TEXT_RULES.cancelReason)).toBeUndefined();
    expect(textProblem('name', 'line\nbreak', TEXT_RULES.personName)).toMatch(/control/);
    expect(textProblem('name', 'Zoë 😀 Łódź', TEXT_RULES.personName)).toBeUndefined();
  });

  it('accepts attributes the product store can hold, nothing else', () => {
    expect(attributesProblems('attributes', { author: 'Knuth', 'page count': '672' })).toEqual([]);
    for (const bad of [
      { $where: 'x' },
      { 'a.b': 'x' },
      { '': 'x' },
      { nested: { deeper: 'x' } },
      { count: 3 },
      { list: ['a'] },
      { nul: 'a\u0000' },
      Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])),
      ['a'],
      'text',
      null,
    ]) {
      expect(attributesProblems('attributes', bad).length).toBeGreaterThan(0);
    }
  });

  it('lets only cursors the stores can compare through', () => {
    expect(cursorFields.time.safeParse('2026-12-03T08:00:00.123456Z').success).toBe(true);
    for (const time of [
      '1',
      'yesterday',
      '2026-02-30T00:00:00Z',
      '0000-01-01T00:00:00Z',
      "'; --",
    ]) {
      expect(cursorFields.time.safeParse(time).success).toBe(false);
    }
    expect(cursorFields.id.safeParse('not-a-uuid').success).toBe(false);
    expect(cursorFields.score.safeParse(1.5).success).toBe(false);
  });
});
