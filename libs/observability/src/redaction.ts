// Redaction by value: whatever a log line carries — a field, an error's message, a database
// error's DETAIL, a message text built by hand — secrets and personal data that have a recognisable
// shape are masked in the finished line before it is written. Paths (REDACTED_PATHS) catch the
// secrets that have no shape, such as a password, by key.

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
