import { Metadata, connectivityState } from '@grpc/grpc-js';
import {
  DynamicModule,
  Inject,
  Injectable,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { ClientGrpc, ClientsModule, Transport } from '@nestjs/microservices';
import {
  type GrpcApi,
  GRPC_SERVICES,
  grpcTransportOptions,
  isRetryableRpc,
} from '@ordermesh/contracts';
import { Metrics, Readiness } from '@ordermesh/observability';
import {
  CallRejectedError,
  DEPENDENCY_FAILURE_CODES,
  DownstreamBreaker,
  RETRY_NOW_CODES,
  RetryBudget,
  outboundDeadline,
  retry,
  type BreakerState,
} from '@ordermesh/resilience';
import { Observable, firstValueFrom } from 'rxjs';
import { SERVICE_CONFIG } from '../config/config.module';
import { GRPC_CLIENT_CHANNEL_OPTIONS } from './channel';
import {
  GrpcStatus,
  isAnsweredByHealthyServer,
  isGrpcCallError,
  type GrpcCallError,
} from './errors';
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

const codeOf = (error: unknown) => (isGrpcCallError(error) ? error.code : undefined);

/** The part of a grpc-js Channel a client watches while its breaker is open. */
export interface ChannelConnectivity {
  getConnectivityState(tryToConnect: boolean): connectivityState;
  watchConnectivityState(
    current: connectivityState,
    deadline: number,
    callback: (error?: Error) => void,
  ): void;
}

/** How long one wait for a connectivity change lasts before the breaker's state is looked at again. */
const WATCH_SLICE_MS = 1_000;

/**
 * Whether a failed call counts against the downstream's health (its circuit breaker): a code of
 * DEPENDENCY_FAILURE_CODES (transport failures, timeouts, exhaustion, internal errors of the
 * infrastructure) — but not business errors
 * (NOT_FOUND, INVALID_ARGUMENT, …) and not a failure the downstream answered itself while healthy
 * (UNAVAILABLE about one of its own dependencies — its own breaker protects it — or INTERNAL from
 * its handler failing on this one request).
 */
export function isDownstreamFailure(error: unknown): boolean {
  const code = codeOf(error);
  return (
    code !== undefined && DEPENDENCY_FAILURE_CODES.has(code) && !isAnsweredByHealthyServer(error)
  );
}

/**
 * Whether the server refused the call before its handler saw it (HTTP/2 REFUSED_STREAM): a call
 * sent in the instant its connection was closed for its maximum age (./channel.ts), which
 * grpc-js's one transparent retry does not always absorb. Safe to send again, whatever the RPC.
 */
export function isRefusedStream(error: unknown): boolean {
  const details = (error as { details?: unknown } | null)?.details;
  // grpc-js words it "Stream refused by server", or, when the refusal interrupts the request's
  // write, "Write error: Stream closed with error code NGHTTP2_REFUSED_STREAM".
  return (
    codeOf(error) === GrpcStatus.UNAVAILABLE &&
    typeof details === 'string' &&
    (details === 'Stream refused by server' || details.endsWith('NGHTTP2_REFUSED_STREAM'))
  );
}

/**
 * Whether a failed call of an RPC that is safe to repeat is worth another attempt: a code of
 * RETRY_NOW_CODES that the downstream did not answer itself while healthy.
 */
export function isRetryableFailure(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && RETRY_NOW_CODES.has(code) && !isAnsweredByHealthyServer(error);
}

/**
 * Raised instead of calling a downstream whose breaker is open or whose bulkhead is full: a gRPC
 * UNAVAILABLE, so every caller maps it like the real thing (the gateway answers 503 with
 * Retry-After).
 */
export class DownstreamRejectedError extends Error implements GrpcCallError {
  readonly code = GrpcStatus.UNAVAILABLE;
  readonly details: string;

  constructor(override readonly cause: CallRejectedError) {
    super(cause.message);
    this.name = 'DownstreamRejectedError';
    this.details = cause.message;
  }

  get retryAfterMs(): number {
    return this.cause.retryAfterMs;
  }
}

export interface ResilienceOptions {
  /** Default per-call budget; capped by the inbound request's remaining time. */
  timeoutMs?: number;
  /** Attempts (including the first) of calls that are safe to repeat. */
  attempts?: number;
  /** Breaker: calls in the window before it may open, and how long it stays open. */
  volumeThreshold?: number;
  resetTimeoutMs?: number;
  /** Bulkhead: concurrent calls per downstream. */
  capacity?: number;
}

/**
 * A typed unary gRPC client for one downstream service. Every call carries a deadline (its own
 * budget capped by the inbound request's remaining time), passes a bulkhead and a circuit
 * breaker, and — only for RPCs the proto declares NO_SIDE_EFFECTS or IDEMPOTENT — is retried on
 * transient failures with full-jitter backoff within a retry budget. `T` is the ts-proto
 * generated `<Service>Client` interface, so a renamed RPC or field is a compile error.
 */
export class GrpcClient<T extends object> {
  private readonly allowed: ReadonlySet<string>;
  private readonly breaker: DownstreamBreaker;
  private readonly budget = new RetryBudget();
  private watching = false;
  private closed = false;

  constructor(
    readonly target: GrpcApi,
    private readonly stub: T,
    private readonly metrics: Metrics,
    /** The RPCs (proto names) this service declared it calls; any other call is refused. */
    methods: readonly string[],
    private readonly options: ResilienceOptions = {},
    /** The stub's channel: while the breaker is open, its reconnect closes the breaker. */
    private readonly channel?: ChannelConnectivity,
  ) {
    this.allowed = new Set(methods);
    const state = metrics.gauge(
      'ordermesh_circuit_breaker_state',
      'Circuit breaker state per downstream: 0 closed, 1 half-open, 2 open',
      ['target'],
    );
    const transitions = metrics.counter(
      'ordermesh_circuit_breaker_transitions_total',
      'Circuit breaker state changes per downstream',
      ['target', 'state'],
    );
    state.set({ target }, 0);
    this.initialiseCounters(methods);
    this.breaker = new DownstreamBreaker(target, {
      volumeThreshold: options.volumeThreshold ?? 10,
      resetTimeoutMs: options.resetTimeoutMs ?? 5_000,
      capacity: options.capacity ?? 64,
      isFailure: isDownstreamFailure,
      onStateChange: (next: BreakerState) => {
        state.set({ target }, next === 'closed' ? 0 : next === 'half_open' ? 1 : 2);
        transitions.inc({ target, state: next });
        if (next === 'open') this.watchForReconnect();
      },
    });
  }

  /** Series exist from the first scrape (at zero), so dashboards and alerts never see gaps. */
  private initialiseCounters(methods: readonly string[]): void {
    for (const [name, help] of [
      ['ordermesh_grpc_client_retries_total', 'Retried outbound gRPC calls'],
      ['ordermesh_grpc_client_timeouts_total', 'Outbound gRPC calls past their deadline'],
    ] as const) {
      const counter = this.metrics.counter(name, help, ['target', 'grpc_method']);
      for (const rpc of methods) counter.inc({ target: this.target, grpc_method: rpc }, 0);
    }
    const rejections = this.metrics.counter(
      'ordermesh_grpc_client_rejections_total',
      'Outbound calls refused locally',
      ['target', 'reason'],
    );
    for (const reason of ['breaker_open', 'bulkhead_full', 'shut_down']) {
      rejections.inc({ target: this.target, reason }, 0);
    }
  }

  get breakerState(): BreakerState {
    return this.breaker.state;
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
    const attempt = () => this.guarded(() => this.invoke(method, rpc, request, options));
    // Any RPC is sent again when the server refused it unseen; only those safe to repeat are
    // retried on other transient failures.
    const repeatable = isRetryableRpc(this.target, rpc);
    return retry(attempt, {
      attempts: repeatable ? (this.options.attempts ?? 3) : 2,
      baseMs: 25,
      capMs: 1_000,
      budget: this.budget,
      retryable: repeatable ? isRetryableFailure : isRefusedStream,
      onRetry: () =>
        this.metrics
          .counter('ordermesh_grpc_client_retries_total', 'Retried outbound gRPC calls', [
            'target',
            'grpc_method',
          ])
          .inc({ target: this.target, grpc_method: rpc }),
    });
  }

  private async guarded<R>(action: () => Promise<R>): Promise<R> {
    try {
      return await this.breaker.run(action);
    } catch (error) {
      if (!(error instanceof CallRejectedError)) throw error;
      this.metrics
        .counter('ordermesh_grpc_client_rejections_total', 'Outbound calls refused locally', [
          'target',
          'reason',
        ])
        .inc({ target: this.target, reason: error.reason });
      throw new DownstreamRejectedError(error);
    }
  }

  private async invoke<K extends MethodName<T>>(
    method: K,
    rpc: string,
    request: RequestOf<T[K]>,
    options: CallOptions,
  ): Promise<ResponseOf<T[K]>> {
    const deadline = outboundDeadline(options.timeoutMs ?? this.options.timeoutMs ?? 2_000);
    const end = this.metrics.grpcClientDuration.startTimer({
      target: this.target,
      grpc_method: rpc,
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
      const code = codeOf(error) ?? GrpcStatus.UNKNOWN;
      end({ grpc_code: String(code) });
      if (code === GrpcStatus.DEADLINE_EXCEEDED) {
        this.metrics
          .counter(
            'ordermesh_grpc_client_timeouts_total',
            'Outbound gRPC calls past their deadline',
            ['target', 'grpc_method'],
          )
          .inc({ target: this.target, grpc_method: rpc });
      }
      throw error;
    }
  }

  /**
   * While the breaker is open, watches the channel: when a channel that lost its connection (the
   * downstream restarted, its pod was replaced) is READY again, the breaker closes at once rather
   * than after its reset timeout, so a restarted service is called again as soon as it accepts
   * connections (order-restart.e2e-spec.ts). A breaker that opened on a connected channel — the
   * downstream answered, with failures — keeps its timer and its half-open probe.
   */
  private watchForReconnect(): void {
    const channel = this.channel;
    if (!channel || this.watching) return;
    this.watching = true;
    let disconnected = false;
    const look = (): void => {
      if (this.closed || this.breaker.state !== 'open') {
        this.watching = false;
        return;
      }
      const now = channel.getConnectivityState(true);
      if (now === connectivityState.SHUTDOWN) {
        this.watching = false;
        return;
      }
      if (now === connectivityState.READY && disconnected) {
        this.watching = false;
        this.breaker.close();
        return;
      }
      if (now !== connectivityState.READY) disconnected = true;
      channel.watchConnectivityState(now, Date.now() + WATCH_SLICE_MS, look);
    };
    look();
  }

  close(): void {
    this.closed = true;
    this.breaker.shutdown();
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
  static register(calls: GrpcCalls, options: ResilienceOptions = {}): DynamicModule {
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
            // round_robin over every replica the target resolves to (see ./channel.ts).
            channelOptions: { ...GRPC_CLIENT_CHANNEL_OPTIONS },
          },
        }),
      })),
    );
    const providers = specs.map((spec) => ({
      provide: clientToken(spec.domain),
      inject: [transportToken(spec.domain), Metrics],
      useFactory: (transport: ClientGrpc, metrics: Metrics) => {
        const service = GRPC_SERVICES[spec.domain].service;
        return new GrpcClient(
          spec.domain,
          transport.getService<object>(service),
          metrics,
          spec.methods,
          options,
          transport
            .getClientByServiceName<{ getChannel(): ChannelConnectivity }>(service)
            .getChannel(),
        );
      },
    }));
    const probes = {
      provide: DownstreamReadiness,
      inject: [Readiness, SERVICE_CONFIG, ...providers.map((p) => p.provide)],
      useFactory: (
        readiness: Readiness,
        config: Record<string, unknown>,
        ...clients: GrpcClient<object>[]
      ) =>
        new DownstreamReadiness(
          readiness,
          clients.map((client) => ({
            client,
            address: String(config[addressVariable(client.target)]),
          })),
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
 * Reports each downstream's grpc.health.v1 status and breaker state in this service's readiness
 * details. They are
 * not critical: a service whose downstream is down stays in rotation and degrades instead.
 */
@Injectable()
class DownstreamReadiness implements OnModuleInit, OnApplicationShutdown {
  private readonly probes: GrpcHealthProbe[] = [];

  constructor(
    private readonly readiness: Readiness,
    private readonly downstreams: { client: GrpcClient<object>; address: string }[],
  ) {}

  onModuleInit(): void {
    for (const { client, address } of this.downstreams) {
      const probe = new GrpcHealthProbe(address);
      this.probes.push(probe);
      this.readiness.register(
        `grpc:${client.target}`,
        async () => {
          try {
            await probe.check();
          } catch (error) {
            throw new Error(`${(error as Error).message} (breaker ${client.breakerState})`);
          }
          return { breaker: client.breakerState };
        },
        { critical: false },
      );
    }
  }

  /**
   * After the servers closed (Nest: destroy hooks, then the servers, then shutdown hooks): handlers
   * still draining during a graceful shutdown — a gRPC call in flight, the order saga finishing
   * its step — keep working clients until then.
   */
  onApplicationShutdown(): void {
    for (const probe of this.probes) probe.close();
    for (const { client } of this.downstreams) client.close();
  }
}
