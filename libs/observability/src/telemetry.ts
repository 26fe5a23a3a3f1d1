/**
 * OpenTelemetry preload: `import '@ordermesh/observability/telemetry'` must be the first import of
 * every service's main.ts, so that instrumented modules (http, grpc, pg, mongodb, ioredis, kafkajs,
 * pino) are patched before anything loads them.
 *
 * Configured only through the standard OTEL_* variables: OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES,
 * OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_TRACES_SAMPLER(_ARG), OTEL_SDK_DISABLED. Spans are exported in
 * batches (the SDK's default for OTLP). Metrics are served by prom-client, not OTLP.
 */
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { NodeSDK } from '@opentelemetry/sdk-node';

process.env['OTEL_METRICS_EXPORTER'] ??= 'none';
process.env['OTEL_LOGS_EXPORTER'] ??= 'none';

const disabled = process.env['OTEL_SDK_DISABLED'] === 'true';

export const telemetry = disabled
  ? undefined
  : new NodeSDK({
      instrumentations: [
        getNodeAutoInstrumentations({
          // Noise without insight for this platform: every file read, DNS lookup and socket.
          '@opentelemetry/instrumentation-fs': { enabled: false },
          '@opentelemetry/instrumentation-dns': { enabled: false },
          '@opentelemetry/instrumentation-net': { enabled: false },
          '@opentelemetry/instrumentation-http': {
            ignoreIncomingRequestHook: (request) => /^\/(health|metrics)/.test(request.url ?? ''),
          },
        }),
      ],
    });

telemetry?.start();

/** Flushes buffered spans; called by graceful shutdown after the app has closed. */
export async function shutdownTelemetry(): Promise<void> {
  await telemetry?.shutdown().catch(() => undefined);
}
