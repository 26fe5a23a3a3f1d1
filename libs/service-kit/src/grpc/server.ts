import path from 'node:path';
import { PROTO_ROOT } from '@ordermesh/contracts';
import type { GrpcOptions } from '@nestjs/microservices';
import { Transport } from '@nestjs/microservices';

export const HEALTH_PROTO = 'grpc/health/v1/health.proto';

/** The proto file of a domain's service, relative to PROTO_ROOT. */
export const domainProto = (domain: string): string => `ordermesh/${domain}/v1/${domain}.proto`;

/** proto-loader settings shared by servers and clients; they match the ts-proto generated types. */
export const PROTO_LOADER_OPTIONS = {
  keepCase: false,
  longs: Number,
  enums: Number,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

/** Nest gRPC server options for a domain service plus grpc.health.v1 (and extra packages). */
export function grpcServerOptions(options: {
  domain: string;
  host: string;
  port: number;
  extraProtos?: { package: string; file: string }[];
}): GrpcOptions {
  const extra = options.extraProtos ?? [];
  return {
    transport: Transport.GRPC,
    options: {
      url: `${options.host}:${options.port}`,
      package: [`ordermesh.${options.domain}.v1`, 'grpc.health.v1', ...extra.map((p) => p.package)],
      protoPath: [domainProto(options.domain), HEALTH_PROTO, ...extra.map((p) => p.file)].map((f) =>
        path.join(PROTO_ROOT, f),
      ),
      loader: PROTO_LOADER_OPTIONS,
      gracefulShutdown: true,
    },
  };
}
