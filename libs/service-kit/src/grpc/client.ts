import { Metadata } from '@grpc/grpc-js';
import {
  DynamicModule,
  Inject,
  Injectable,
  Module,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import { ClientGrpc, ClientsModule, Transport } from '@nestjs/microservices';
import { type GrpcApi, GRPC_SERVICES, grpcTransportOptions } from '@ordermesh/contracts';
import { Metrics } from '@ordermesh/observability';
import { outboundDeadline } from '@ordermesh/resilience';
import { Observable, firstValueFrom } from 'rxjs';
import { SERVICE_CONFIG } from '../config/config.module';
import { Readiness } from '../health/readiness';
import { GrpcStatus, isGrpcCallError } from './errors';
import { GrpcHealthProbe } from './health-probe';

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
  private readonly allowed: ReadonlySet<string>;

  constructor(
    readonly target: string,
    private readonly stub: T,
    private readonly metrics: Metrics,
    private readonly defaultTimeoutMs: number,
    /** The RPCs (proto names) this service declared it calls; any other call is refused. */
    methods: readonly string[],
  ) {
    this.allowed = new Set(methods);
  }

  async call<K extends MethodName<T>>(
    method: K,
    request: RequestOf<T[K]>,
    options: CallOptions = {},
  ): Promise<ResponseOf<T[K]>> {
    const rpc = `${method[0]!.toUpperCase()}${method.slice(1)}`;
    if (!this.allowed.has(rpc)) {
      throw new Error(`${this.target}.${rpc} is not declared in this service's grpc-calls`);
    }
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

const clientToken = (domain: GrpcApi) => `ordermesh.grpc-client.${domain}`;
const transportToken = (domain: GrpcApi) => `ordermesh.grpc-transport.${domain}`;

/** `@InjectGrpcClient('user') users: GrpcClient<UserServiceClient>` */
export const InjectGrpcClient = (domain: GrpcApi): ParameterDecorator & PropertyDecorator =>
  Inject(clientToken(domain));

/** Per downstream domain (`user` → ordermesh.user.v1.UserService), the RPCs a service calls. */
export type GrpcCalls = Readonly<Partial<Record<GrpcApi, readonly string[]>>>;

const addressVariable = (domain: GrpcApi) => `${domain.toUpperCase()}_GRPC_ADDR`;

/**
 * Clients for the downstream gRPC services a service calls. Addresses come from the validated
 * configuration's `<DOMAIN>_GRPC_ADDR` settings.
 */
@Module({})
export class GrpcClientsModule {
  static register(calls: GrpcCalls, options: { timeoutMs?: number } = {}): DynamicModule {
    const specs = (Object.entries(calls) as [GrpcApi, readonly string[]][]).map(
      ([domain, methods]) => ({ domain, methods }),
    );
    const transports = ClientsModule.registerAsync(
      specs.map((spec) => ({
        name: transportToken(spec.domain),
        inject: [SERVICE_CONFIG],
        useFactory: (config: Record<string, unknown>) => ({
          transport: Transport.GRPC as const,
          options: {
            url: String(config[addressVariable(spec.domain)]),
            ...grpcTransportOptions(spec.domain),
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
          transport.getService<object>(GRPC_SERVICES[spec.domain].service),
          metrics,
          options.timeoutMs ?? 2_000,
          spec.methods,
        ),
    }));
    const probes = {
      provide: DownstreamReadiness,
      inject: [Readiness, SERVICE_CONFIG],
      useFactory: (readiness: Readiness, config: Record<string, unknown>) =>
        new DownstreamReadiness(
          readiness,
          specs.map((spec) => [spec.domain, String(config[addressVariable(spec.domain)])] as const),
        ),
    };
    return {
      module: GrpcClientsModule,
      imports: [transports],
      providers: [...providers, probes],
      exports: providers.map((p) => p.provide),
    };
  }
}

/**
 * Reports each downstream's grpc.health.v1 status in this service's readiness details. They are
 * not critical: a service whose downstream is down stays in rotation and degrades instead.
 */
@Injectable()
class DownstreamReadiness implements OnModuleInit, OnModuleDestroy {
  private readonly probes: GrpcHealthProbe[] = [];

  constructor(
    private readonly readiness: Readiness,
    private readonly downstreams: readonly (readonly [string, string])[],
  ) {}

  onModuleInit(): void {
    for (const [domain, address] of this.downstreams) {
      const probe = new GrpcHealthProbe(address);
      this.probes.push(probe);
      this.readiness.register(`grpc:${domain}`, () => probe.check(), { critical: false });
    }
  }

  onModuleDestroy(): void {
    for (const probe of this.probes) probe.close();
  }
}
