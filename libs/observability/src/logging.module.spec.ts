import { Writable } from 'node:stream';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import pino from 'pino';
import { pinoOptions } from './logging.module';
import { setRequestId } from './request-id';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()));
      callback();
    },
  });
  const logger = pino(pinoOptions('test', 'info'), stream);
  return { logger, lines };
}

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => context.disable());

describe('logging', () => {
  it('writes the request id of the active context on every line', async () => {
    const { logger, lines } = capture();
    await context.with(setRequestId(context.active(), 'req-42'), async () => {
      logger.info('before await');
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.info('after await');
    });
    logger.info('outside');
    expect(lines.map((line) => line['request_id'])).toEqual(['req-42', 'req-42', undefined]);
  });

  it('never writes passwords, tokens or card data', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        password: 'p1',
        user: { email: 'a@example.com', password: 'p2', accessToken: 't1' },
        body: { payment: { cardNumber: '4111111111111111', cvc: '123' } },
        req: { headers: { authorization: 'Bearer x', cookie: 'sid=1' } },
      },
      'login',
    );
    const text = JSON.stringify(lines[0]);
    for (const secret of ['p1', 'p2', 't1', '4111111111111111', '"123"', 'Bearer x', 'sid=1']) {
      expect(text).not.toContain(secret);
    }
    expect(lines[0]).toMatchObject({ msg: 'login', user: { password: '[redacted]' } });
  });

  it('redacts by key in arrays and errors, and never changes what was logged', () => {
    const { logger, lines } = capture();
    const fields = { items: [{ sku: 'a-1', token: 'tok-1' }], user: { name: 'Ada' } };
    const failed = Object.assign(new Error('insert failed'), { parameters: ['pw-hash-1'] });
    logger.info(fields, 'cart');
    logger.error({ err: failed }, 'failed');
    const text = lines.map((line) => JSON.stringify(line)).join('\n');
    for (const secret of ['tok-1', 'pw-hash-1']) expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({ items: [{ sku: 'a-1' }], user: { name: 'Ada' } });
    // The error is still an error on the line: message, type and stack survive the copy.
    expect(lines[1]).toMatchObject({ err: { message: 'insert failed', type: 'Error' } });
    expect(String((lines[1]!['err'] as { stack?: unknown }).stack)).toContain('insert failed');
    expect(fields.items[0]!.token).toBe('tok-1');
    expect(failed.parameters).toEqual(['pw-hash-1']);
  });

  it('redacts by value: a failed INSERT, tokens, emails, card numbers and hashes anywhere', () => {
    const { logger, lines } = capture();
    const hash = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA';
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlc2lnbmF0dXJl';
    // What TypeORM throws for a failed INSERT, with the pg driver's error inside.
    const failed = Object.assign(new Error('duplicate key value violates unique constraint'), {
      name: 'QueryFailedError',
      query: 'INSERT INTO "users"("id", "email", "password_hash") VALUES ($1, $2, $3)',
      parameters: ['6f1c1f0e-0000-4000-8000-000000000000', 'ada@example.com', hash],
      driverError: { code: '23505', detail: 'Key (email)=(ada@example.com) already exists.' },
    });
    logger.error({ err: failed }, 'UsersController.registerUser failed');
    logger.warn(`login of grace@example.org with ${jwt} refused, hash ${hash}`);
    logger.info({ note: 'paid with 4111 1111 1111 1111 and 5500-0000-0000-0004' }, 'payment');
    logger.info({ authorizationHeader: `Bearer ${jwt}` }, 'header');
    const text = lines.map((line) => JSON.stringify(line)).join('\n');
    for (const secret of [
      'ada@example.com',
      'grace@example.org',
      '$argon2id$',
      'c2FsdHNhbHQ',
      jwt,
      '4111 1111 1111 1111',
      '5500-0000-0000-0004',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted:email]');
    expect(text).toContain('[redacted:card]');
    // What is not secret stays readable: the SQL, the ids, the timestamps.
    expect(text).toContain('INSERT INTO');
    expect(lines[0]).toMatchObject({ err: { driverError: { code: '23505' } } });
  });

  it('leaves ids, times and numbers that are not card numbers alone', () => {
    const { logger, lines } = capture();
    const fields = {
      orderId: '6f1c1f0e-1234-4567-8901-234567890123',
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      at: 1764748800000,
      amountMinor: 4599,
      notLuhn: '4111111111111112',
    };
    logger.info(fields, 'order');
    expect(lines[0]).toMatchObject(fields);
  });
});
