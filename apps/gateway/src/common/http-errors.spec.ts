import { GrpcStatus } from '@ordermesh/service-kit';
import { httpStatusForGrpc, reasonPhrase } from './http-errors';

describe('gRPC → HTTP status mapping', () => {
  it.each([
    [GrpcStatus.NOT_FOUND, 404],
    [GrpcStatus.INVALID_ARGUMENT, 400],
    [GrpcStatus.FAILED_PRECONDITION, 409],
    [GrpcStatus.PERMISSION_DENIED, 403],
    [GrpcStatus.UNAUTHENTICATED, 401],
    [GrpcStatus.RESOURCE_EXHAUSTED, 429],
    [GrpcStatus.UNAVAILABLE, 503],
    [GrpcStatus.DEADLINE_EXCEEDED, 504],
    [GrpcStatus.INTERNAL, 500],
  ])('maps gRPC %s to HTTP %s', (code, status) => {
    expect(httpStatusForGrpc(code)).toBe(status);
  });

  it('names statuses the way HTTP does', () => {
    expect(reasonPhrase(404)).toBe('Not Found');
    expect(reasonPhrase(413)).toBe('Payload Too Large');
    expect(reasonPhrase(429)).toBe('Too Many Requests');
  });
});
