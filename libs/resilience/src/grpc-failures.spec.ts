import { status } from '@grpc/grpc-js';
import {
  DEPENDENCY_FAILURE_CODES,
  grpcCodeOf,
  RETRY_LATER_CODES,
  RETRY_NOW_CODES,
} from './grpc-failures';

const CALLER_CODES = [
  status.INVALID_ARGUMENT,
  status.NOT_FOUND,
  status.ALREADY_EXISTS,
  status.PERMISSION_DENIED,
  status.FAILED_PRECONDITION,
  status.OUT_OF_RANGE,
  status.UNAUTHENTICATED,
  status.UNIMPLEMENTED,
];

describe('gRPC failure classes', () => {
  it('no answer a server chose about the request counts against it, is retried or waited for', () => {
    for (const code of CALLER_CODES) {
      expect([code, DEPENDENCY_FAILURE_CODES.has(code)]).toEqual([code, false]);
      expect([code, RETRY_NOW_CODES.has(code)]).toEqual([code, false]);
      expect([code, RETRY_LATER_CODES.has(code)]).toEqual([code, false]);
    }
    // A conflict one caller provokes never opens a breaker or spends the shared retry budget.
    expect(DEPENDENCY_FAILURE_CODES.has(status.ABORTED)).toBe(false);
    expect(RETRY_NOW_CODES.has(status.ABORTED)).toBe(false);
  });

  it('what is retried at once is a dependency failure, and a durable step waits for it too', () => {
    for (const code of RETRY_NOW_CODES) {
      expect(DEPENDENCY_FAILURE_CODES.has(code)).toBe(true);
      expect(RETRY_LATER_CODES.has(code)).toBe(true);
    }
    expect([...RETRY_NOW_CODES].sort()).toEqual(
      [status.UNAVAILABLE, status.DEADLINE_EXCEEDED].sort(),
    );
    expect(RETRY_LATER_CODES.has(status.ABORTED)).toBe(true);
    expect(RETRY_LATER_CODES.has(status.INTERNAL)).toBe(false);
  });

  it('reads the code of a grpc-js call error only', () => {
    expect(grpcCodeOf(Object.assign(new Error('x'), { code: 14, details: 'down' }))).toBe(14);
    expect(grpcCodeOf(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBeUndefined();
    expect(grpcCodeOf({ code: 14 })).toBeUndefined();
    expect(grpcCodeOf(null)).toBeUndefined();
  });
});
