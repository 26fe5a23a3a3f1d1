import { Writable } from 'node:stream';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import pino from 'pino';
import { REDACTED_PATHS, logCorrelation } from './logging.module';
import { setRequestId } from './request-id';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()));
      callback();
    },
  });
  const logger = pino(
    { mixin: logCorrelation, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    stream,
  );
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
});
