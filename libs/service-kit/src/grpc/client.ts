import path from 'node:path';
import { Metadata } from '@grpc/grpc-js';
import { DynamicModule, Inject, Module } from '@nestjs/common';
import { ClientGrpc, ClientsModule, Transport } from '@nestjs/microservices';
import { PROTO_ROOT } from '@ordermesh/contracts';
import { Metrics } from '@ordermesh/observability';
import { outboundDeadline } from '@ordermesh/resilience';
import { Observable, firstValueFrom } from 'rxjs';
import { SERVICE_CONFIG } from '../config/config.module';
import { GrpcStatus, isGrpcCallError } from './errors';
import { PROTO_LOADER_OPTIONS, domainProto } from './server';

type UnaryMethod = (request: never, metadata?: Metadata) => Observable<unknown>;
type MethodName<T> = { [K in keyof T]: T[K] extends UnaryMethod ? K : never }[keyof T] & string;
type RequestOf<F> = F extends (request: infer R, ...rest: never[]) => unknown ? R : never;
type ResponseOf<F> = F extends (...args: never[]) => Observable<infer R> ? R : never;

export interface CallOptions {
  /** This call's budget; the inbound request's remaining time caps it (deadline propagation). */
  timeoutMs?: number;
  metadata?: Metadata;
}

/**
 * A typed unary gRPC client for one downstream service: every call carries a deadline and is
 * measured. `T` is the ts-proto generated `<Service>Client` interface, so a renamed RPC or field
 * is a compile error.
 */
export class GrpcClient<T extends object> {
  constructor(
    readonly target: string,
    private readonly stub: T,
    private readonly metrics: Metrics,
    private readonly defaultTimeoutMs: number,
  ) {}

  async call<K extends MethodName<T>>(
    method: K,
    request: RequestOf<T[K]>,
    options: CallOptions = {},
  ): Promise<ResponseOf<T[K]>> {
    const deadline = outboundDeadline(options.timeoutMs ?? this.defaultTimeoutMs);
    const end = this.metrics.grpcClientDuration.startTimer({
      target: this.target,
      grpc_method: method,
    });
    const invoke = this.stub[method] as unknown as (
      request: unknown,
      metadata: Metadata,
      options: { deadline: number },
    ) => Observable<ResponseOf<T[K]>>;
    try {
      const response = await firstValueFrom(
        invoke.call(this.stub, request, options.metadata ?? new Metadata(), { deadline }),
      );
      end({ grpc_code: String(GrpcStatus.OK) });
      return response;
    } catch (error) {
      end({ grpc_code: String(isGrpcCallError(error) ? error.code : GrpcStatus.UNKNOWN) });
      throw error;
    }
  }
}

const clientToken = (domain: string) => `ordermesh.grpc-client.${domain}`;
const transportToken = (domain: string) => `ordermesh.grpc-transport.${domain}`;

/** `@InjectGrpcClient('user') users: GrpcClient<UserServiceClient>` */
export const InjectGrpcClient = (domain: string): ParameterDecorator & PropertyDecorator =>
  Inject(clientToken(domain));

export interface GrpcClientSpec {
  /** Domain of the downstream service (`user` → ordermesh.user.v1.UserService). */
  domain: string;
  /** Default per-call budget. */
  timeoutMs?: number;
}

const serviceName = (domain: string) => `${domain[0]!.toUpperCase()}${domain.slice(1)}Service`;
const addressVariable = (domain: string) => `${domain.toUpperCase()}_GRPC_ADDR`;

/**
 * Clients for the downstream gRPC services a service calls. Addresses come from the validated
 * configuration's `<DOMAIN>_GRPC_ADDR` settings.
 */
@Module({})
export class GrpcClientsModule {
  static register(specs: GrpcClientSpec[]): DynamicModule {
    const transports = ClientsModule.registerAsync(
      specs.map((spec) => ({
        name: transportToken(spec.domain),
        inject: [SERVICE_CONFIG],
        useFactory: (config: Record<string, unknown>) => ({
          transport: Transport.GRPC as const,
          options: {
            url: String(config[addressVariable(spec.domain)]),
            package: `ordermesh.${spec.domain}.v1`,
            protoPath: path.join(PROTO_ROOT, domainProto(spec.domain)),
            loader: PROTO_LOADER_OPTIONS,
          },
        }),
      })),
    );
    const providers = specs.map((spec) => ({
      provide: clientToken(spec.domain),
      inject: [transportToken(spec.domain), Metrics],
      useFactory: (transport: ClientGrpc, metrics: Metrics) =>
        new GrpcClient(
          spec.domain,
          transport.getService<object>(serviceName(spec.domain)),
          metrics,
          spec.timeoutMs ?? 2_000,
        ),
    }));
    return {
      module: GrpcClientsModule,
      imports: [transports],
      providers,
      exports: providers.map((p) => p.provide),
    };
  }
}
