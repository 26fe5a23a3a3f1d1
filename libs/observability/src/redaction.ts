// Redaction by value: whatever a log line carries — a field, an error's message, a database
// error's DETAIL, a message text built by hand — secrets and personal data that have a recognisable
// shape are masked in the finished line before it is written. Keys (SECRET_KEYS, redactKeys) catch
// the secrets that have no shape, such as a password.
import { EventEmitter } from 'node:events';

/** Luhn checksum: true for a plausible payment card number. */
function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

interface ValueRule {
  name: string;
  pattern: RegExp;
  /** Masks only matches this accepts (card numbers: Luhn-valid). */
  accept?: (match: string) => boolean;
}

/** The shapes masked in every log line, in order. */
export const SECRET_VALUE_RULES: readonly ValueRule[] = [
  // A JSON Web Token: three base64url parts, the first a JSON header ("eyJ" is `{"`).
  { name: 'jwt', pattern: /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g },
  // A bearer token that is not a JWT (opaque or refresh tokens), as an Authorization header has it.
  { name: 'credentials', pattern: /\bBearer\s+[A-Za-z0-9._~+/=-]{16,}/gi },
  // A password hash in PHC format (argon2, as the user service stores them; bcrypt, scrypt).
  { name: 'password-hash', pattern: /\$(argon2(?:id|i|d)|scrypt|2[aby])\$[A-Za-z0-9+/=$.,-]+/g },
  // An email address (the local part as far as the field rules allow, any domain).
  {
    name: 'email',
    pattern: /[A-Za-z0-9._%+'-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}/g,
  },
  // A payment card number: 13-19 digits, optionally grouped by spaces or dashes, starting as card
  // numbers do (2-6; epoch milliseconds start with 1), Luhn-valid, not part of a longer token.
  {
    name: 'card',
    pattern: /(?<![\w-])[2-6](?:[ -]?\d){12,18}(?![\w-])/g,
    accept: (match) => luhn(match.replace(/[ -]/g, '')),
  },
];

/** A log line (or any text) with every secret-shaped value replaced by `[redacted:<kind>]`. */
export function redactValues(text: string): string {
  let out = text;
  for (const rule of SECRET_VALUE_RULES) {
    out = out.replace(rule.pattern, (match) =>
      !rule.accept || rule.accept(match) ? `[redacted:${rule.name}]` : match,
    );
  }
  return out;
}

/**
 * Keys whose values never reach a log line: credentials, tokens, card data. They are masked at
 * the top level of a line's fields and up to two levels down (`user.password`,
 * `req.headers.authorization`).
 */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'password',
  'newPassword',
  'currentPassword',
  'passwordHash',
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'secret',
  'clientSecret',
  'apiKey',
  'x-api-key',
  'authorization',
  'cookie',
  'set-cookie',
  'cardNumber',
  'card',
  'cvc',
  'cvv',
  'pan',
  'paymentMethod',
  // A failed query's bound values (TypeORM QueryFailedError): an INSERT's email and password hash.
  'parameters',
]);
export const KEY_REDACTION_CENSOR = '[redacted]';
const KEY_DEPTH = 2;

/**
 * The fields with every SECRET_KEYS value replaced by `[redacted]`: one walk of the object, and a
 * copy only of the objects on the way to a secret (the input is never changed; an object without
 * secrets is returned as it is). pino's path redaction did the same with one traversal per path
 * and wildcard, ~40 µs a line; this is the logger's formatter (docs/performance.md). Not walked:
 * binary data, and event emitters (requests, responses, sockets: the loggers' serializers reduce
 * those to id, method, URL and status).
 */
export function redactKeys<T extends object>(fields: T): T {
  return redactObject(fields, 0) as T;
}

function redactObject(value: object, depth: number): object {
  const source = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(source)) {
    const child = source[key];
    let next = child;
    if (SECRET_KEYS.has(key)) next = KEY_REDACTION_CENSOR;
    else if (depth < KEY_DEPTH && isWalkable(child)) next = redactObject(child, depth + 1);
    if (next === child) continue;
    copy ??= shallowCopy(value);
    Object.defineProperty(copy, key, {
      value: next,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy ?? value;
}

function isWalkable(value: unknown): value is object {
  return (
    typeof value === 'object' &&
    value !== null &&
    !ArrayBuffer.isView(value) &&
    !(value instanceof EventEmitter)
  );
}

/** Same prototype and own properties, non-enumerable ones too (an error keeps message and stack). */
function shallowCopy(value: object): Record<string, unknown> {
  if (Array.isArray(value)) return [...value] as unknown as Record<string, unknown>;
  const copy = Object.create(
    Object.getPrototypeOf(value) as object | null,
    Object.getOwnPropertyDescriptors(value),
  ) as Record<string, unknown>;
  // V8's `stack` is an accessor bound to the original error: keep its text instead.
  if (value instanceof Error) Object.defineProperty(copy, 'stack', { value: value.stack });
  return copy;
}
