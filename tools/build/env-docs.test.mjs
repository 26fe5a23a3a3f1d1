// The env table's rows (tools/build/env-docs.mjs): what the default column says for each kind of
// variable, and that zod's JSON Schema of an extended object still carries every description.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import {
  constraints,
  defaultCell,
  envRow,
  envTable,
  readableDuration,
  TABLE_BEGIN,
  TABLE_END,
  withTable,
} from './env-docs.mjs';

test('the default column: default, required or unset, then the constraints', () => {
  assert.equal(
    defaultCell('SAGA_POLL_INTERVAL_MS', { default: 200, minimum: 10 }, false),
    '`200` (min 10)',
  );
  assert.equal(
    defaultCell('HTTP_PORT', { minimum: 1, maximum: 65535 }, true),
    'required (1..65535)',
  );
  assert.equal(
    defaultCell('MANAGEMENT_PORT', { minimum: 1, maximum: 65535 }, false),
    'unset (1..65535)',
  );
  assert.equal(defaultCell('CORS_ORIGINS', { default: '' }, false), 'empty');
  assert.equal(
    defaultCell('LOG_LEVEL', { default: 'info', enum: ['fatal', 'error', 'info'] }, false),
    '`info` (one of `fatal`, `error`, `info`)',
  );
  assert.equal(
    defaultCell(
      'REFRESH_TOKEN_TTL_SECONDS',
      { default: 1_209_600, minimum: 60, maximum: 7_776_000 },
      false,
    ),
    '`1209600` (14 days; 60..7776000)',
  );
});

test('constraints: unbounded integers and a lone minimum of 0 say nothing', () => {
  const safe = Number.MAX_SAFE_INTEGER;
  assert.deepEqual(constraints({ type: 'integer', minimum: 0, maximum: safe }), []);
  assert.deepEqual(constraints({ type: 'integer', minimum: 0, maximum: 60_000 }), ['0..60000']);
  assert.deepEqual(constraints({ type: 'integer', minimum: -safe, maximum: 9 }), ['max 9']);
  assert.deepEqual(constraints({ type: 'string', minLength: 1 }), ['non-empty']);
  assert.deepEqual(constraints({ type: 'string', minLength: 32 }), ['at least 32 characters']);
  assert.deepEqual(constraints({ type: 'string', pattern: '^\\d+(b|kb)$' }), [
    'matching `^\\d+(b|kb)$`',
  ]);
});

test('a duration default reads in days, hours or minutes, by the unit its name ends in', () => {
  assert.equal(readableDuration('IDEMPOTENCY_KEY_RETENTION_HOURS', 168), '7 days');
  assert.equal(readableDuration('PAYMENT_DEADLINE_MS', 120_000), '2 min');
  assert.equal(readableDuration('X_SECONDS', 7200), '2 hours');
  assert.equal(readableDuration('X_SECONDS', 3600), '1 hour');
  assert.equal(readableDuration('SHUTDOWN_TIMEOUT_MS', 10_000), undefined);
  assert.equal(readableDuration('NOTIFICATION_RETENTION_DAYS', 90), undefined);
  assert.equal(readableDuration('BATCH_SIZE', 86_400), undefined);
  assert.equal(readableDuration('X_MS', 0), undefined);
});

test('a row: the name, the default cell and the description, pipes escaped', () => {
  assert.equal(
    envRow(
      'BODY_LIMIT',
      { default: '64kb', pattern: '^\\d+(b|kb|mb)$', description: 'body' },
      false,
    ),
    '| `BODY_LIMIT` | `64kb` (matching `^\\d+(b\\|kb\\|mb)$`) | body |',
  );
  assert.throws(() => envRow('X', { default: 1 }, false), /X has no description/);
});

test('the table of a zod schema: every variable in schema order, described after extend', () => {
  const base = z.object({
    LOG_LEVEL: z.enum(['info', 'debug']).default('info').describe('lowest level logged'),
    PORT: z.coerce.number().int().min(1).max(65535).describe('the port'),
  });
  const schema = base.extend({
    OPTIONAL: z.string().optional().describe('may be left out'),
    FLAG: z
      .enum(['true', 'false'])
      .default('false')
      .transform((value) => value === 'true')
      .describe('a flag'),
  });
  assert.equal(
    envTable(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })),
    [
      '| variable | default | meaning |',
      '| --- | --- | --- |',
      '| `LOG_LEVEL` | `info` (one of `info`, `debug`) | lowest level logged |',
      '| `PORT` | required (1..65535) | the port |',
      '| `OPTIONAL` | unset | may be left out |',
      '| `FLAG` | `false` (one of `true`, `false`) | a flag |',
    ].join('\n'),
  );
});

test('a variable without a description fails the table, naming it', () => {
  const schema = z.object({
    DESCRIBED: z.string().describe('yes'),
    NONE: z.string(),
    ALSO_NONE: z.coerce.number().default(1),
  });
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  assert.throws(() => envTable(json), /no description .*: NONE, ALSO_NONE$/);
});

test('the table goes between the markers; the text around them stays', () => {
  const text = `# svc\n## Environment\n${TABLE_BEGIN}\nold\n${TABLE_END}\n\nprose after\n`;
  assert.equal(
    withTable('README.md', text, 'new'),
    `# svc\n## Environment\n${TABLE_BEGIN}\nnew\n${TABLE_END}\n\nprose after\n`,
  );
  assert.throws(() => withTable('README.md', '# svc\n', 'new'), /README.md: no .* markers/);
});
