/**
 * Shapes of secrets and personal data that no service may log, whoever sent them: written
 * independently of the loggers' own redaction rules (libs/observability), so a gap there is not
 * hidden here. Used on the local platform's log files, on the local log store and on the
 * cluster's.
 */
const SHAPES: { kind: string; pattern: RegExp; accept?: (match: string) => boolean }[] = [
  { kind: 'JWT', pattern: /eyJ[\w-]{4,}\.eyJ[\w-]{4,}\.[\w-]+/g },
  { kind: 'password hash', pattern: /\$argon2(id|i|d)\$/g },
  { kind: 'email address', pattern: /[\w.+'%-]+@[\w-]+(\.[\w-]+)*\.[A-Za-z]{2,}/g },
  {
    kind: 'card number',
    pattern: /(?<![\w-])[2-6](?:[ -]?\d){12,18}(?![\w-])/g,
    accept: luhn,
  },
];

/** The Luhn check of the digits in `text`: card numbers pass it, most other digit runs do not. */
function luhn(text: string): boolean {
  const digits = text.replace(/\D/g, '');
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** What one text (a log line, a stored record) holds: a given secret verbatim, or a secret's shape. */
export function leakKinds(text: string, secrets: readonly string[]): string[] {
  const kinds: string[] = [];
  if (secrets.some((value) => text.includes(value))) kinds.push('a secret a test sent');
  for (const shape of SHAPES) {
    const hit = [...text.matchAll(shape.pattern)].some(
      ([match]) => !shape.accept || shape.accept(match),
    );
    if (hit) kinds.push(shape.kind);
  }
  return kinds;
}
