import { z } from 'zod';

// One rule per field of the public API. The gateway's DTOs validate with these (the edge), and the
// service that owns the field checks the same rule again (defence in depth, INVALID_ARGUMENT), so
// the edge never accepts what the owner or its stores refuse. A rule returns the problem in words,
// or undefined when the value is fine.

/**
 * C0 control characters and DEL. PostgreSQL refuses NUL in text outright; the others have no place
 * in a name, an address or a reason and only serve to forge log lines or break renderers.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_SINGLE_LINE = /[\u0000-\u001F\u007F]/;
/** The same, but tab, line feed and carriage return are allowed (descriptions, reasons). */
// eslint-disable-next-line no-control-regex -- as above
const CONTROL_MULTILINE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
/** A UTF-16 surrogate that is not part of a pair: not encodable as UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface TextRule {
  /** Minimum length after trimming (0: may be empty). */
  readonly min: number;
  /** Maximum length as sent (UTF-16 code units). */
  readonly max: number;
  /** Tab, line feed and carriage return allowed. */
  readonly multiline?: boolean;
}

export const TEXT_RULES = {
  personName: { min: 1, max: 200 },
  password: { min: 8, max: 256, multiline: true },
  loginPassword: { min: 1, max: 256, multiline: true },
  productName: { min: 1, max: 200 },
  productDescription: { min: 0, max: 5_000, multiline: true },
  category: { min: 1, max: 100 },
  recipientName: { min: 1, max: 200 },
  addressLine1: { min: 1, max: 200 },
  addressLine2: { min: 0, max: 200 },
  city: { min: 1, max: 100 },
  region: { min: 0, max: 100 },
  postalCode: { min: 1, max: 20 },
  cancelReason: { min: 0, max: 500, multiline: true },
} as const satisfies Record<string, TextRule>;

/** Whether a string carries NUL (refused by PostgreSQL and by the gRPC servers for any field). */
export const containsNul = (value: string): boolean => value.includes('\u0000');

export function textProblem(field: string, value: unknown, rule: TextRule): string | undefined {
  if (typeof value !== 'string') return `${field} must be a string`;
  if (value.trim().length < rule.min || value.length > rule.max) {
    return rule.min > 0
      ? `${field} must be ${rule.min} to ${rule.max} characters`
      : `${field} must be at most ${rule.max} characters`;
  }
  if ((rule.multiline ? CONTROL_MULTILINE : CONTROL_SINGLE_LINE).test(value)) {
    return `${field} must not contain control characters`;
  }
  if (LONE_SURROGATE.test(value)) return `${field} must be valid Unicode text`;
  return undefined;
}

/** The longest address SMTP carries (RFC 5321 path limit). */
export const MAX_EMAIL_LENGTH = 254;

/**
 * The addresses Ordermesh accepts: ASCII local part of letters, digits and `_ ' + - .` (no leading,
 * trailing or doubled dot), an ASCII domain with a letter TLD. Internationalised addresses and the
 * rarer RFC 5322 forms (quoted local parts, `!#$%&*=?^`{|}~`) are refused at the edge: the
 * `user.registered.v1` schema and every consumer of it agree on this one pattern.
 */
export const EMAIL_PATTERN =
  /^(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;

/** The email rule as a zod schema (event schemas use it). */
export const emailSchema = z.string().max(MAX_EMAIL_LENGTH).regex(EMAIL_PATTERN);

export function emailProblem(field: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return `${field} must be a string`;
  return emailSchema.safeParse(value).success
    ? undefined
    : `${field} must be an email address of at most ${MAX_EMAIL_LENGTH} ASCII characters`;
}

export const MAX_ATTRIBUTES = 50;
export const MAX_ATTRIBUTE_VALUE_LENGTH = 500;
/**
 * Attribute keys become field names in the product store (MongoDB wire protocol): a leading `$`
 * is an operator and a `.` a path there, so keys are plain words.
 */
export const ATTRIBUTE_KEY = /^[A-Za-z0-9_][A-Za-z0-9_ -]{0,63}$/;
const ATTRIBUTE_VALUE: TextRule = { min: 0, max: MAX_ATTRIBUTE_VALUE_LENGTH };

/** Product attributes: a flat object of at most 50 string values under plain-word keys. */
export function attributesProblems(field: string, value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [`${field} must be an object of strings`];
  }
  const entries = Object.entries(value);
  const problems: string[] = [];
  if (entries.length > MAX_ATTRIBUTES) problems.push(`${field}: at most ${MAX_ATTRIBUTES} entries`);
  let keyProblem: string | undefined;
  let valueProblem: string | undefined;
  for (const [key, item] of entries.slice(0, MAX_ATTRIBUTES + 1)) {
    if (!keyProblem && !ATTRIBUTE_KEY.test(key)) {
      keyProblem = `${field} keys must be 1 to 64 of A-Z a-z 0-9 _ - and space, not starting with - or space`;
    }
    const name = `${field}.${key.slice(0, 64)}`;
    valueProblem ??=
      typeof item === 'string'
        ? textProblem(name, item, ATTRIBUTE_VALUE)
        : `${name} must be a string`;
  }
  if (keyProblem) problems.push(keyProblem);
  if (valueProblem) problems.push(valueProblem);
  return problems;
}

/** An order: 1 to 50 lines of 1 to 1000 units each (after merging lines of the same product). */
export const MAX_ORDER_LINES = 50;
export const MAX_LINE_QUANTITY = 1_000;
/** The `Idempotency-Key` header of PlaceOrder. */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{8,128}$/;
/** A payment method name such as `card`. */
export const PAYMENT_METHOD = /^[a-z0-9_-]{1,64}$/;

/** ISO 3166-1 alpha-2, upper case. */
export const COUNTRY_CODE = /^[A-Z]{2}$/;

/**
 * Fields of keyset cursors inside page tokens: a token is opaque to clients but not trusted, so
 * its cursor must hold values the store can compare (a UUID, an RFC 3339 time, an integer score)
 * before any query sees it.
 */
export const cursorFields = {
  id: z.uuid(),
  // PostgreSQL has no year 0.
  time: z.iso.datetime({ offset: true }).refine((value) => !value.startsWith('0000'), 'year 0'),
  score: z.int().nonnegative(),
};
