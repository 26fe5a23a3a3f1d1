import { Metadata } from '@grpc/grpc-js';
import { DownstreamBreaker, RetryBudget, retry } from '@ordermesh/resilience';
import { isDownstreamFailure, isRefusedStream, isRetryableFailure } from './client';
import { DEPENDENCY_UNAVAILABLE_KEY, GrpcStatus, HANDLER_FAILED_KEY } from './errors';

/** A failed call as @grpc/grpc-js hands it to the client (marked: as a healthy server answers). */
function callError(code: GrpcStatus, marked = false, details = 'x') {
  const metadata = new Metadata();
  if (marked) {
    metadata.set(
      code === GrpcStatus.UNAVAILABLE ? DEPENDENCY_UNAVAILABLE_KEY : HANDLER_FAILED_KEY,
      '1',
    );
  }
  return Object.assign(new Error(`${code}`), { code, details, metadata });
}

/** Every status a server's handler answers because of what one caller sent. */
const CALLER_STATUSES = [
  GrpcStatus.INVALID_ARGUMENT,
  GrpcStatus.NOT_FOUND,
  GrpcStatus.ALREADY_EXISTS,
  GrpcStatus.FAILED_PRECONDITION,
  GrpcStatus.PERMISSION_DENIED,
  GrpcStatus.UNAUTHENTICATED,
  GrpcStatus.ABORTED,
  GrpcStatus.OUT_OF_RANGE,
  GrpcStatus.CANCELLED,
  GrpcStatus.UNIMPLEMENTED,
];

describe('what counts against a downstream', () => {
  it('counts transport failures, timeouts and internal errors', () => {
    for (const code of [
      GrpcStatus.UNAVAILABLE,
      GrpcStatus.DEADLINE_EXCEEDED,
      GrpcStatus.RESOURCE_EXHAUSTED,
      GrpcStatus.INTERNAL,
      GrpcStatus.UNKNOWN,
    ]) {
      expect(isDownstreamFailure(callError(code))).toBe(true);
    }
  });

  it("does not count, nor retry, any status about the caller's request", () => {
    for (const code of CALLER_STATUSES) {
      expect(isDownstreamFailure(callError(code))).toBe(false);
      expect(isRetryableFailure(callError(code))).toBe(false);
    }
  });

  it("does not count, nor retry, an INTERNAL the downstream's handler answered", () => {
    // user answers INTERNAL when a registration fails in its handler: user is healthy, and login
    // must stay reachable for everyone else.
    for (const code of [GrpcStatus.INTERNAL, GrpcStatus.UNKNOWN, GrpcStatus.DATA_LOSS]) {
      expect(isDownstreamFailure(callError(code, true))).toBe(false);
      expect(isRetryableFailure(callError(code, true))).toBe(false);
    }
  });

  it('keeps the breaker closed and the retry budget full through 200 bad requests', async () => {
    const breaker = new DownstreamBreaker('user', {
      volumeThreshold: 5,
      resetTimeoutMs: 60_000,
      isFailure: isDownstreamFailure,
    });
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 0, maxTokens: 3 }, () => 0);
    const attempts: number[] = [];
    for (let i = 0; i < 200; i++) {
      const error = callError(
        i % 2 ? CALLER_STATUSES[i % CALLER_STATUSES.length]! : GrpcStatus.INTERNAL,
        true,
      );
      let calls = 0;
      await retry(
        () =>
          breaker.run(() => {
            calls++;
            return Promise.reject(error);
          }),
        { attempts: 3, baseMs: 0, capMs: 0, budget, retryable: isRetryableFailure },
      ).catch(() => undefined);
      attempts.push(calls);
    }
    expect(breaker.state).toBe('closed');
    expect(attempts.every((calls) => calls === 1)).toBe(true);
    expect(budget.tryAcquire()).toBe(true);
    breaker.shutdown();
    // The same INTERNAL from the transport (no server marked it) does open a breaker.
    const fresh = new DownstreamBreaker('user', {
      volumeThreshold: 5,
      resetTimeoutMs: 60_000,
      isFailure: isDownstreamFailure,
    });
    for (let i = 0; i < 10; i++) {
      await fresh.run(() => Promise.reject(callError(GrpcStatus.INTERNAL))).catch(() => undefined);
    }
    expect(fresh.state).toBe('open');
    fresh.shutdown();
  });

  it('does not count an UNAVAILABLE the downstream answered about its own dependency', () => {
    // order answers UNAVAILABLE while inventory is down: order is healthy, and its other RPCs
    // (listing orders) must stay reachable through the caller's breaker.
    expect(isDownstreamFailure(callError(GrpcStatus.UNAVAILABLE, true))).toBe(false);
    expect(isRetryableFailure(callError(GrpcStatus.UNAVAILABLE, true))).toBe(false);
    expect(isRetryableFailure(callError(GrpcStatus.UNAVAILABLE))).toBe(true);
    expect(isRetryableFailure(callError(GrpcStatus.NOT_FOUND))).toBe(false);
  });
});

describe('a stream the server refused unseen', () => {
  it("is recognised by grpc-js's status (sent again for any RPC)", () => {
    expect(
      isRefusedStream(callError(GrpcStatus.UNAVAILABLE, false, 'Stream refused by server')),
    ).toBe(true);
    expect(
      isRefusedStream(
        callError(
          GrpcStatus.UNAVAILABLE,
          false,
          'Write error: Stream closed with error code NGHTTP2_REFUSED_STREAM',
        ),
      ),
    ).toBe(true);
    expect(isRefusedStream(callError(GrpcStatus.UNAVAILABLE))).toBe(false);
    expect(isRefusedStream(callError(GrpcStatus.INTERNAL, false, 'Stream refused by server'))).toBe(
      false,
    );
  });
});
