import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Latency buckets that resolve 1 ms to 10 s. */
export const LATENCY_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/**
 * The process's metric registry. Metric names follow `ordermesh_<noun>_<unit>`; labels never carry
 * ids, so cardinality stays bounded by routes, methods and status codes.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly httpServerDuration = new Histogram({
    name: 'ordermesh_http_server_duration_seconds',
    help: 'Duration of inbound HTTP requests',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly grpcServerDuration = new Histogram({
    name: 'ordermesh_grpc_server_duration_seconds',
    help: 'Duration of inbound gRPC calls',
    labelNames: ['grpc_service', 'grpc_method', 'grpc_code'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly grpcClientDuration = new Histogram({
    name: 'ordermesh_grpc_client_duration_seconds',
    help: 'Duration of outbound gRPC calls',
    labelNames: ['target', 'grpc_method', 'grpc_code'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  constructor(readonly service: string) {
    collectDefaultMetrics({ register: this.registry, prefix: 'ordermesh_' });
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return this.getOrCreate(
      name,
      () => new Counter({ name, help, labelNames, registers: [this.registry] }),
    );
  }

  gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> {
    return this.getOrCreate(
      name,
      () => new Gauge({ name, help, labelNames, registers: [this.registry] }),
    );
  }

  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: number[] = LATENCY_BUCKETS,
  ): Histogram<L> {
    return this.getOrCreate(
      name,
      () => new Histogram({ name, help, labelNames, buckets, registers: [this.registry] }),
    );
  }

  private getOrCreate<M>(name: string, create: () => M): M {
    return (this.registry.getSingleMetric(name) as M | undefined) ?? create();
  }
}
