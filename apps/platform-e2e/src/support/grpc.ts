import {
  type Client,
  type ServiceError,
  credentials,
  loadPackageDefinition,
  status,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { GRPC_SERVICES, type GrpcApi, grpcTransportOptions } from '@ordermesh/contracts';
import type { Observable } from 'rxjs';

export { status as GrpcStatus };

/** The ts-proto `<Service>Client` interface with promises instead of observables. */
export type Unary<T> = {
  [K in keyof T]: T[K] extends (request: infer Q, ...rest: never[]) => Observable<infer R>
    ? (request: Q, options?: { timeoutMs?: number }) => Promise<R>
    : never;
};

export interface DirectClient<T> {
  rpc: Unary<T>;
  close(): void;
}

/**
 * A plain @grpc/grpc-js client of one service's internal API (what the services call each other
 * with), for specs that test a service below the gateway. `address` is
 * `connection.services.<svc>.grpc`.
 */
export function directClient<T extends object>(api: GrpcApi, address: string): DirectClient<T> {
  const { protoPath, loader } = grpcTransportOptions(api);
  const { package: pkg, service } = GRPC_SERVICES[api];
  const loaded = loadPackageDefinition(loadSync(protoPath, loader)) as Record<string, unknown>;
  const Ctor = [...pkg.split('.'), service].reduce<unknown>(
    (node, key) => (node as Record<string, unknown>)[key],
    loaded,
  ) as new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => Client;
  const client = new Ctor(address, credentials.createInsecure());
  const rpc = new Proxy(
    {},
    {
      get:
        (_target, method: string) =>
        (request: unknown, options: { timeoutMs?: number } = {}) =>
          new Promise((resolve, reject) => {
            const pascal = method.charAt(0).toUpperCase() + method.slice(1);
            const fn = (
              client as unknown as Record<string, ((...args: unknown[]) => unknown) | undefined>
            )[pascal];
            if (!fn) return reject(new Error(`${service} has no method ${pascal}`));
            fn.call(
              client,
              request,
              { deadline: Date.now() + (options.timeoutMs ?? 30_000) },
              (error: ServiceError | null, response: unknown) =>
                error ? reject(error) : resolve(response),
            );
          }),
    },
  ) as Unary<T>;
  return { rpc, close: () => client.close() };
}

/** The gRPC status code of a failed call (for `expect(await codeOf(...)).toBe(...)`). */
export async function codeOf(call: Promise<unknown>): Promise<number | 'OK'> {
  try {
    await call;
    return 'OK';
  } catch (error) {
    const code = (error as Partial<ServiceError>).code;
    if (typeof code !== 'number') throw error;
    return code;
  }
}
