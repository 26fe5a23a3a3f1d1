import { Metadata } from '@grpc/grpc-js';
import { isDownstreamFailure, isRefusedStream, isRetryableFailure } from './client';
import { DEPENDENCY_UNAVAILABLE_KEY, GrpcStatus } from './errors';

/** A failed call as @grpc/grpc-js hands it to the client. */
function callError(code: GrpcStatus, marked = false, details = 'x') {
  const metadata = new Metadata();
  if (marked) metadata.set(DEPENDENCY_UNAVAILABLE_KEY, '1');
  return Object.assign(new Error(`${code}`), { code, details, metadata });
}

describe('what counts against a downstream', () => {
  it('counts transport failures, timeouts and internal errors', () => {
    for (const code of [
      GrpcStatus.UNAVAILABLE,
      GrpcStatus.DEADLINE_EXCEEDED,
      GrpcStatus.INTERNAL,
    ]) {
      expect(isDownstreamFailure(callError(code))).toBe(true);
    }
  });

  it('does not count business errors', () => {
    for (const code of [
      GrpcStatus.NOT_FOUND,
      GrpcStatus.INVALID_ARGUMENT,
      GrpcStatus.FAILED_PRECONDITION,
    ]) {
      expect(isDownstreamFailure(callError(code))).toBe(false);
    }
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
