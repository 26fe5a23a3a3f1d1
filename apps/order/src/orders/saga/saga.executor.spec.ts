import { CallRejectedError } from '@ordermesh/resilience';
import { DownstreamRejectedError, GrpcStatus } from '@ordermesh/service-kit';
import { classify } from './saga.executor';

const grpcError = (code: GrpcStatus, details = 'x') =>
  Object.assign(new Error(details), { code, details });

describe('classify (saga call errors)', () => {
  it.each([GrpcStatus.UNAVAILABLE, GrpcStatus.DEADLINE_EXCEEDED, GrpcStatus.RESOURCE_EXHAUSTED])(
    'code %s is transient for every action',
    (code) => {
      for (const action of ['authorize_payment', 'commit_stock', 'release_stock'] as const) {
        expect(classify(action, grpcError(code)).kind).toBe('transient');
      }
    },
  );

  it('an open circuit breaker is transient', () => {
    // what the service kit's client raises instead of calling a downstream whose breaker is open
    const rejected = new DownstreamRejectedError(
      new CallRejectedError('breaker_open', 'payment', 1_000),
    );
    expect(classify('capture_payment', rejected).kind).toBe('transient');
  });

  it('NOT_FOUND on a compensation means nothing to undo', () => {
    for (const action of [
      'void_payment',
      'refund_payment',
      'release_stock',
      'restock_stock',
    ] as const) {
      expect(classify(action, grpcError(GrpcStatus.NOT_FOUND)).kind).toBe('nothing');
    }
  });

  it('FAILED_PRECONDITION / NOT_FOUND on commit or capture is a refusal', () => {
    expect(classify('commit_stock', grpcError(GrpcStatus.FAILED_PRECONDITION)).kind).toBe(
      'rejected',
    );
    expect(classify('commit_stock', grpcError(GrpcStatus.NOT_FOUND)).kind).toBe('rejected');
    expect(classify('capture_payment', grpcError(GrpcStatus.FAILED_PRECONDITION)).kind).toBe(
      'rejected',
    );
    expect(classify('release_stock', grpcError(GrpcStatus.FAILED_PRECONDITION)).kind).toBe(
      'rejected',
    );
  });

  it('anything else is an unexpected error with a readable detail', () => {
    expect(classify('authorize_payment', grpcError(GrpcStatus.INVALID_ARGUMENT, 'amount'))).toEqual(
      {
        kind: 'error',
        detail: 'INVALID_ARGUMENT: amount',
      },
    );
    expect(classify('authorize_payment', new Error('boom'))).toEqual({
      kind: 'error',
      detail: 'boom',
    });
  });
});
