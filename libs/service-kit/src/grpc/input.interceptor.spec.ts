import type { ExecutionContext } from '@nestjs/common';
import type { RpcException } from '@nestjs/microservices';
import { firstValueFrom, of } from 'rxjs';
import { GrpcStatus } from './errors';
import { GrpcInputInterceptor, findNulString } from './input.interceptor';

const rpc = (data: unknown) =>
  ({ getType: () => 'rpc', switchToRpc: () => ({ getData: () => data }) }) as ExecutionContext;

describe('GrpcInputInterceptor', () => {
  it('finds NUL in any string field, however nested', () => {
    expect(findNulString({ name: 'Ada', email: 'a@b.de' })).toBeUndefined();
    expect(findNulString({ name: 'Ad\u0000a' })).toBe('name');
    expect(
      findNulString({ shippingAddress: { line1: 'x', city: 'Ber\u0000lin' }, items: [] }),
    ).toBe('shippingAddress.city');
    expect(findNulString({ attributes: { values: { k: '\u0000' } } })).toBe('attributes.values.k');
    expect(findNulString({ items: [{ productId: 'a' }, { productId: '\u0000' }] })).toBe(
      'items.1.productId',
    );
    expect(findNulString({ payload: Buffer.from([0, 0]) })).toBeUndefined();
  });

  it('answers INVALID_ARGUMENT before the handler runs', async () => {
    let handled = false;
    const next = { handle: () => ((handled = true), of('ok')) };
    const outcome = await firstValueFrom(
      new GrpcInputInterceptor().intercept(rpc({ reason: 'a\u0000b' }), next),
    ).catch((error: unknown) => error);
    expect(handled).toBe(false);
    expect((outcome as RpcException).getError()).toMatchObject({
      code: GrpcStatus.INVALID_ARGUMENT,
      message: 'reason must not contain NUL characters',
    });
    expect(
      await firstValueFrom(new GrpcInputInterceptor().intercept(rpc({ reason: 'ok' }), next)),
    ).toBe('ok');
  });
});
