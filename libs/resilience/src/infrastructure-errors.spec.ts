import { isInfrastructureError } from './infrastructure-errors';

const withCode = (message: string, code: string | number, extra: object = {}) =>
  Object.assign(new Error(message), { code, ...extra });

describe('isInfrastructureError', () => {
  it.each([
    ['connection refused', withCode('connect ECONNREFUSED 127.0.0.1:64320', 'ECONNREFUSED')],
    [
      'connection refused on every address (AggregateError)',
      new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], ''),
    ],
    ['reset', withCode('read ECONNRESET', 'ECONNRESET')],
    ['node-postgres: terminated', new Error('Connection terminated unexpectedly')],
    ['node-postgres: pool timeout', new Error('timeout exceeded when trying to connect')],
    [
      'node-postgres: broken client',
      new Error('Client has encountered a connection error and is not queryable'),
    ],
    ['PostgreSQL 57P01', withCode('terminating connection due to administrator command', '57P01')],
    ['PostgreSQL 57P03', withCode('the database system is starting up', '57P03')],
    ['PostgreSQL class 08', withCode('connection failure', '08006')],
    ['PostgreSQL 53300', withCode('too many connections', '53300')],
    [
      'ALLOW_CONNECTIONS false',
      withCode('database "payment_svc" is not currently accepting connections', '55000'),
    ],
    [
      'TypeORM QueryFailedError around a driver error',
      Object.assign(new Error('Query failed'), {
        name: 'QueryFailedError',
        driverError: withCode('terminating connection due to administrator command', '57P01'),
      }),
    ],
    ['a cause chain', new Error('outer', { cause: withCode('connect ETIMEDOUT', 'ETIMEDOUT') })],
    ['ioredis: closed', new Error('Connection is closed.')],
    [
      'ioredis: max retries',
      Object.assign(new Error('Reached the max retries per request limit'), {
        name: 'MaxRetriesPerRequestError',
      }),
    ],
    [
      'ioredis: offline',
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
    ],
    ['MongoDB', Object.assign(new Error('x'), { name: 'MongoServerSelectionError' })],
    [
      'TypeORM: the connection went away under a transaction',
      Object.assign(new Error('Query runner already released. Cannot run queries anymore.'), {
        name: 'QueryRunnerAlreadyReleasedError',
      }),
    ],
    ['gRPC UNAVAILABLE', Object.assign(new Error('14 UNAVAILABLE'), { code: 14, details: 'x' })],
    ['gRPC DEADLINE_EXCEEDED', Object.assign(new Error('4'), { code: 4, details: 'deadline' })],
  ])('recognises %s', (_what, error) => {
    expect(isInfrastructureError(error)).toBe(true);
  });

  it.each([
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a unique violation', withCode('duplicate key value violates unique constraint', '23505')],
    ['a check violation', withCode('new row violates check constraint', '23514')],
    ['a serialization failure', withCode('could not serialize access', '40001')],
    ['gRPC NOT_FOUND', Object.assign(new Error('5'), { code: 5, details: 'no such order' })],
    ['gRPC FAILED_PRECONDITION', Object.assign(new Error('9'), { code: 9, details: 'nope' })],
    ['a string', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('does not treat %s as an outage', (_what, error) => {
    expect(isInfrastructureError(error)).toBe(false);
  });

  it('survives cyclic causes', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(isInfrastructureError(a)).toBe(false);
  });
});
