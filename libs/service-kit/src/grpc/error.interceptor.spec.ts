import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { firstValueFrom, throwError } from 'rxjs';
import {
  DEPENDENCY_UNAVAILABLE_KEY,
  GrpcStatus,
  HANDLER_FAILED_KEY,
  invalidArgument,
  notFound,
  rpcError,
  unavailable,
} from './errors';
import { GrpcErrorInterceptor } from './error.interceptor';

const rpcContext = {
  getType: () => 'rpc',
  getClass: () => ({ name: 'OrdersController' }),
  getHandler: () => ({ name: 'placeOrder' }),
} as unknown as ExecutionContext;

async function statusOf(error: unknown): Promise<unknown> {
  const next: CallHandler = { handle: () => throwError(() => error) };
  const outcome = await firstValueFrom(
    new GrpcErrorInterceptor().intercept(rpcContext, next),
  ).catch((e: unknown) => e);
  return ((outcome as RpcException).getError() as { code: number }).code;
}

async function markerOf(error: unknown, key: string): Promise<unknown> {
  const outcome = await firstValueFrom(
    new GrpcErrorInterceptor().intercept(rpcContext, { handle: () => throwError(() => error) }),
  ).catch((e: unknown) => e);
  const { metadata } = (outcome as RpcException).getError() as {
    metadata?: { get(key: string): unknown[] };
  };
  return metadata?.get(key)[0];
}

describe('GrpcErrorInterceptor', () => {
  it('answers a value the store refused (SQLSTATE class 22) as INVALID_ARGUMENT', async () => {
    const nul = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
      driverError: { code: '22021' },
    });
    expect(await statusOf(nul)).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(await statusOf(Object.assign(new Error('bad'), { code: '22P02' }))).toBe(
      GrpcStatus.INVALID_ARGUMENT,
    );
  });

  it("marks every INTERNAL it answers as this request's failure, nothing else", async () => {
    expect(await markerOf(new TypeError('x is undefined'), HANDLER_FAILED_KEY)).toBe('1');
    expect(
      await markerOf(rpcError(GrpcStatus.INTERNAL, 'from a handler'), HANDLER_FAILED_KEY),
    ).toBe('1');
    expect(await markerOf(invalidArgument('bad'), HANDLER_FAILED_KEY)).toBeUndefined();
    expect(await markerOf(unavailable('down'), HANDLER_FAILED_KEY)).toBeUndefined();
  });

  it('keeps a deliberate status', async () => {
    expect(await statusOf(notFound('order x not found'))).toBe(GrpcStatus.NOT_FOUND);
  });

  it('turns an unreachable dependency into UNAVAILABLE', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    expect(await statusOf(refused)).toBe(GrpcStatus.UNAVAILABLE);
    expect(await statusOf(new Error('Connection terminated unexpectedly'))).toBe(
      GrpcStatus.UNAVAILABLE,
    );
  });

  it('turns a bug into INTERNAL without leaking its message', async () => {
    const outcome = await firstValueFrom(
      new GrpcErrorInterceptor().intercept(rpcContext, {
        handle: () => throwError(() => new TypeError('cannot read x of undefined')),
      }),
    ).catch((e: unknown) => e);
    expect((outcome as RpcException).getError()).toMatchObject({
      code: GrpcStatus.INTERNAL,
      message: 'internal error',
    });
  });

  it('marks every UNAVAILABLE it answers as a dependency problem, nothing else', async () => {
    const marker = async (error: unknown) => {
      const outcome = await firstValueFrom(
        new GrpcErrorInterceptor().intercept(rpcContext, { handle: () => throwError(() => error) }),
      ).catch((e: unknown) => e);
      const { metadata } = (outcome as RpcException).getError() as {
        metadata?: { get(key: string): unknown[] };
      };
      return metadata?.get(DEPENDENCY_UNAVAILABLE_KEY)[0];
    };
    expect(await marker(unavailable('inventory unavailable'))).toBe('1');
    expect(await marker(new Error('Connection terminated unexpectedly'))).toBe('1');
    expect(await marker(notFound('order x not found'))).toBeUndefined();
    expect(await marker(new TypeError('bug'))).toBeUndefined();
  });
});
