import type { INestApplication, NestApplicationOptions, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { GrpcApi } from '@ordermesh/contracts';
import type { GrpcOptions } from '@nestjs/microservices';
// Not '@ordermesh/observability/telemetry': importing the preload starts the SDK (telemetry-handle.ts).
import { Metrics, shutdownTelemetry, Readiness } from '@ordermesh/observability';
import { Logger } from 'nestjs-pino';
import { SERVICE_CONFIG } from './config/config.module';
import type { BaseEnv } from './config/env';
import { ConfigError } from './config/env';
import { faultInjectionEnabled } from './fault/enabled';
import { grpcServerOptions } from './grpc/server';
import {
  type ManagementServer,
  publicOperationalPaths,
  startManagementServer,
} from './health/management';
import { answerClientErrors } from './http/client-errors';

export interface ServiceDefinition {
  /** The service's one name: folder, OTEL_SERVICE_NAME, consumer group, Kubernetes Service. */
  name: string;
  module: Type<unknown>;
  /** The domain whose gRPC service this process serves (`ordermesh.<domain>.v1`). */
  grpc?: { domain: GrpcApi; extraApis?: GrpcApi[] };
  /** Options for NestFactory.create (e.g. the gateway parses bodies itself). */
  nestOptions?: NestApplicationOptions;
  /** Extra HTTP set-up (the gateway's middleware, OpenAPI, …) before listening. */
  configureHttp?: (app: INestApplication) => void | Promise<void>;
}

/**
 * Starts a service: HTTP (health, metrics, REST) and, when it has one, the gRPC server.
 * Start-up errors are logged and exit 1. SIGTERM/SIGINT trigger a graceful shutdown: readiness
 * turns false at once, then Nest closes consumers, servers and pools, bounded by SHUTDOWN_TIMEOUT_MS.
 */
export async function bootstrapService(definition: ServiceDefinition): Promise<INestApplication> {
  let app: INestApplication | undefined;
  try {
    app = await NestFactory.create(definition.module, {
      bufferLogs: true,
      abortOnError: false,
      ...definition.nestOptions,
    });
    app.useLogger(app.get(Logger));
    const config = app.get<BaseEnv & { GRPC_PORT?: number }>(SERVICE_CONFIG);
    // With a management port, readiness and metrics leave the HTTP port (before any other handler).
    if (config.MANAGEMENT_PORT) app.use(publicOperationalPaths());
    const faults = Boolean(definition.grpc) && faultInjectionEnabled();
    if (definition.grpc) {
      if (!config.GRPC_PORT) throw new ConfigError(['GRPC_PORT is required']);
      // ServiceModule registered FaultService's controller and interceptor; serve its API too.
      const extraApis: GrpcApi[] = [
        ...(definition.grpc.extraApis ?? []),
        ...(faults ? (['fault'] as const) : []),
      ];
      app.connectMicroservice<GrpcOptions>(
        grpcServerOptions({
          ...definition.grpc,
          extraApis,
          host: config.HOST,
          port: config.GRPC_PORT,
        }),
        { inheritAppConfig: true },
      );
      await app.startAllMicroservices();
    }
    await definition.configureHttp?.(app);
    answerClientErrors(app.getHttpServer());
    await app.listen(config.HTTP_PORT, config.HOST);
    const management = config.MANAGEMENT_PORT
      ? await startManagementServer({
          host: config.HOST,
          port: config.MANAGEMENT_PORT,
          readiness: app.get(Readiness),
          metrics: app.get(Metrics),
        })
      : undefined;
    installShutdown(app, config.SHUTDOWN_TIMEOUT_MS, management);
    app
      .get(Logger)
      .log(
        { http: config.HTTP_PORT, grpc: config.GRPC_PORT, management: config.MANAGEMENT_PORT },
        `${definition.name} started`,
      );
    if (faults) {
      app
        .get(Logger)
        .warn(
          'FAULT_INJECTION is enabled: ordermesh.testing.v1.FaultService is served (tests only)',
        );
    }
    return app;
  } catch (error) {
    const message = error instanceof ConfigError ? error.message : (error as Error).stack;
    process.stderr.write(`${definition.name} failed to start: ${message}\n`);
    await app?.close().catch(() => undefined);
    process.exit(1);
  }
}

function installShutdown(
  app: INestApplication,
  timeoutMs: number,
  management: ManagementServer | undefined,
): void {
  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const logger = app.get(Logger);
    logger.log(`${signal} received: draining (at most ${timeoutMs} ms)`);
    app.get(Readiness).beginShutdown();
    const deadline = setTimeout(() => {
      process.stderr.write(`graceful shutdown exceeded ${timeoutMs} ms, exiting\n`);
      process.exit(1);
    }, timeoutMs);
    deadline.unref();
    try {
      await app.close();
      // Last: readiness answers 503 (not a refused connection) while the app drains.
      await management?.close();
      await shutdownTelemetry();
      process.exit(0);
    } catch (error) {
      process.stderr.write(`shutdown failed: ${(error as Error).stack}\n`);
      process.exit(1);
    }
  };
  process.once('SIGTERM', (signal) => void shutdown(signal));
  process.once('SIGINT', (signal) => void shutdown(signal));
}
