import { logLevel } from 'kafkajs';
import { kafkaLogCreator } from './kafka';

describe('kafkaLogCreator', () => {
  const logger = { log: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const log = kafkaLogCreator(logger)();

  beforeEach(() => jest.clearAllMocks());

  it('passes warnings and errors on with the fields that say what went wrong', () => {
    log({
      level: logLevel.ERROR,
      namespace: 'Connection',
      log: {
        message: 'Response InitProducerId',
        error: 'The coordinator is not available',
        broker: '127.0.0.1:9092',
      },
    });
    expect(logger.error).toHaveBeenCalledWith(
      'kafkajs Connection: Response InitProducerId (error=The coordinator is not available, broker=127.0.0.1:9092)',
    );
    log({ level: logLevel.WARN, namespace: 'Consumer', log: { message: 'slow' } });
    expect(logger.warn).toHaveBeenCalledWith('kafkajs Consumer: slow');
  });

  it('drops the bounded-retries warning of the idempotent producer, which is deliberate', () => {
    log({
      level: logLevel.WARN,
      namespace: 'Producer',
      log: {
        message: 'Limiting retries for the idempotent producer may invalidate EoS guarantees',
      },
    });
    expect(logger.warn).not.toHaveBeenCalled();
  });
});
