import { type GrpcApi, grpcTransportOptions } from '@ordermesh/contracts';
import type { GrpcOptions } from '@nestjs/microservices';
import { Transport } from '@nestjs/microservices';
import { GRPC_SERVER_CHANNEL_OPTIONS } from './channel';

/**
 * Nest gRPC server options for a domain's service plus grpc.health.v1 (and, e.g. in the test
 * profile, the fault-injection service). Connections are closed after a maximum age, so clients
 * re-resolve and spread their calls over replicas that started after they connected.
 */
export function grpcServerOptions(options: {
  domain: GrpcApi;
  host: string;
  port: number;
  extraApis?: GrpcApi[];
}): GrpcOptions {
  return {
    transport: Transport.GRPC,
    options: {
      url: `${options.host}:${options.port}`,
      ...grpcTransportOptions(options.domain, 'health', ...(options.extraApis ?? [])),
      gracefulShutdown: true,
      channelOptions: { ...GRPC_SERVER_CHANNEL_OPTIONS },
    },
  };
}
