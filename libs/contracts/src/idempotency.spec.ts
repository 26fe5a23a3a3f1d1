import { GRPC_SERVICES, type GrpcApi } from './grpc';
import { isRetryableRpc, rpcIdempotency } from './idempotency';

describe('RPC idempotency declarations', () => {
  it('reads the standard idempotency_level option from the protos', () => {
    expect(rpcIdempotency('user')).toMatchObject({
      GetUser: 'NO_SIDE_EFFECTS',
      SetUserStatus: 'IDEMPOTENT',
      RegisterUser: 'IDEMPOTENCY_UNKNOWN',
    });
  });

  it('allows retries only where repeating is safe', () => {
    expect(isRetryableRpc('payment', 'AuthorizePayment')).toBe(true);
    expect(isRetryableRpc('product', 'CreateProduct')).toBe(false);
    expect(isRetryableRpc('order', 'PlaceOrder')).toBe(true);
  });

  it('declares every domain RPC explicitly except those that are not safe to repeat', () => {
    const undeclared: string[] = [];
    for (const api of Object.keys(GRPC_SERVICES) as GrpcApi[]) {
      if (api === 'health') continue;
      for (const [rpc, level] of Object.entries(rpcIdempotency(api))) {
        if (level === 'IDEMPOTENCY_UNKNOWN') undeclared.push(`${api}.${rpc}`);
      }
    }
    expect(undeclared.sort()).toEqual([
      'product.CreateProduct',
      'shipping.UpdateShipmentStatus',
      // a repeated CreateSession opens a second session; a repeated refresh is a reuse that revokes the family
      'user.CreateSession',
      'user.RefreshSession',
      'user.RegisterUser',
    ]);
  });
});
