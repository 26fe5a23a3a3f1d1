import { grpcCodeOf, RETRY_NOW_CODES } from './grpc-failures';

/**
 * Whether a handler failed because a dependency is unreachable (its database, Redis, a downstream
 * gRPC service) rather than because of the record itself. Such a failure says nothing about the
 * record: the consumer keeps it uncommitted and waits for the dependency instead of dead-lettering
 * it (see RecordProcessor).
 *
 * Recognised, anywhere in the error's `cause` / `driverError` / AggregateError chain:
 * - socket errors: ECONNREFUSED, ECONNRESET, EPIPE, ETIMEDOUT, EHOSTUNREACH, ENETUNREACH, EAI_AGAIN;
 * - PostgreSQL: SQLSTATE class 08 (connection exception), 57P01-57P03 (admin shutdown, crash
 *   shutdown, cannot connect now), 53300 (too many connections), "database … is not currently
 *   accepting connections"; node-postgres' "Connection terminated", pool "timeout exceeded when
 *   trying to connect", "not queryable" clients;
 * - Redis (ioredis): "Connection is closed", MaxRetriesPerRequestError, "Stream isn't writeable";
 * - MongoDB driver: network, server selection and not-connected errors;
 * - gRPC calls: UNAVAILABLE (14) and DEADLINE_EXCEEDED (4), including a local breaker rejection.
 */
export function isInfrastructureError(error: unknown): boolean {
  return chain(error).some(matches);
}

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ECONNABORTED',
]);
const PG_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
/**
 * PostgreSQL classes that are the server's own trouble, whatever the query: 53 insufficient
 * resources (disk full, out of memory, too many connections), 58 system error (I/O).
 */
const PG_RESOURCE_CLASSES = ['53', '58'];
const ERROR_NAMES = new Set([
  'MaxRetriesPerRequestError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  // TypeORM, when PostgreSQL terminated the connection under a transaction: the driver releases
  // the query runner on the client's error, and the transaction's next query or COMMIT meets this.
  'QueryRunnerAlreadyReleasedError',
  'QueryRunnerProviderAlreadyReleasedError',
]);
const MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /is not queryable/i,
  /not currently accepting connections/i,
  /terminating connection due to administrator command/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /connection is closed/i,
  /stream isn't writeable/i,
  /connect (ECONNREFUSED|ETIMEDOUT)/i,
];

function matches(candidate: object): boolean {
  const { code, name, message } = candidate as {
    code?: unknown;
    name?: unknown;
    message?: unknown;
  };
  if (typeof code === 'string') {
    if (SOCKET_CODES.has(code) || PG_CODES.has(code) || code.startsWith('08')) return true;
    if (/^[0-9A-Z]{5}$/.test(code) && PG_RESOURCE_CLASSES.includes(code.slice(0, 2))) return true;
  }
  const grpcCode = grpcCodeOf(candidate);
  if (grpcCode !== undefined && RETRY_NOW_CODES.has(grpcCode)) return true;
  if (typeof name === 'string' && ERROR_NAMES.has(name)) return true;
  return typeof message === 'string' && MESSAGES.some((pattern) => pattern.test(message));
}

/** The error and what it wraps (bounded: causes may be cyclic). */
function chain(error: unknown): object[] {
  const found: object[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && found.length < 16) {
    const next = queue.shift();
    if (typeof next !== 'object' || next === null || found.includes(next)) continue;
    found.push(next);
    const wrapper = next as { cause?: unknown; driverError?: unknown; errors?: unknown };
    queue.push(wrapper.cause, wrapper.driverError);
    if (Array.isArray(wrapper.errors)) queue.push(...wrapper.errors);
  }
  return found;
}

/**
 * Whether a store refused a value the request carried (not the store failing): PostgreSQL SQLSTATE
 * class 22, data exception — NUL in text (22021), invalid text representation (22P02), a value too
 * long (22001) or out of range (22003, 22008). The request is at fault: INVALID_ARGUMENT, never
 * INTERNAL, so one caller's input cannot count against a service's health. Field rules stop such
 * values first; this is the net under them.
 */
export function isInvalidDataError(error: unknown): boolean {
  return chain(error).some((candidate) => {
    const code = (candidate as { code?: unknown }).code;
    return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
  });
}
