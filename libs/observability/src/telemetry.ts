/**
 * OpenTelemetry preload: `import '@ordermesh/observability/telemetry'` must be the first import of
 * every service's main.ts, so that instrumented modules (http, grpc, pg, mongodb/mongoose, ioredis,
 * kafkajs, pino) are patched before anything loads them.
 *
 * Configured only through the standard OTEL_* variables: OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES,
 * OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_TRACES_SAMPLER(_ARG), OTEL_PROPAGATORS, OTEL_BSP_*,
 * OTEL_SDK_DISABLED. Defaults when unset: a parent-based trace-id-ratio sampler at 1.0 (a caller's
 * sampling decision is kept; set OTEL_TRACES_SAMPLER_ARG to sample fewer new traces), W3C
 * tracecontext + baggage propagation, OTLP export through a batch span processor (the SDK's
 * default for OTLP; tune with OTEL_BSP_*). Metrics are served by prom-client, not OTLP.
 *
 * Trace context crosses every hop as W3C `traceparent`: HTTP headers (the gateway continues an
 * inbound `traceparent`), gRPC metadata (grpc instrumentation), Kafka headers (kafkajs
 * instrumentation; the outbox of @ordermesh/messaging stores the producing request's context and
 * restores it when it publishes).
 */
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { type TextMapPropagator, diag, propagation } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { RequestIdPropagator } from './request-id';
import { registerTelemetryShutdown } from './telemetry-handle';

process.env['OTEL_METRICS_EXPORTER'] ??= 'none';
process.env['OTEL_LOGS_EXPORTER'] ??= 'none';
process.env['OTEL_TRACES_SAMPLER'] ??= 'parentbased_traceidratio';
process.env['OTEL_TRACES_SAMPLER_ARG'] ??= '1';
process.env['OTEL_PROPAGATORS'] ??= 'tracecontext,baggage';

/** Requests that are not worth a trace: probes and scrapes, every few seconds. */
const OPERATIONAL_PATH = /^\/(health|metrics)(\/|\?|$)/;

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
            ignoreIncomingRequestHook: (request) => OPERATIONAL_PATH.test(request.url ?? ''),
          },
          // One span per Express layer (helmet, cors, body parser, …) adds ~20 spans to every
          // request and says nothing the HTTP server span and the Nest handler span do not. The
          // matched route still names the HTTP server span.
          '@opentelemetry/instrumentation-express': { ignoreLayers: [() => true] },
          // Express 5 routes through the `router` package: the same layers again.
          '@opentelemetry/instrumentation-router': { enabled: false },
          // grpc.health.v1 probes (readiness of downstreams, the platform) every few seconds.
          '@opentelemetry/instrumentation-grpc': { ignoreGrpcMethods: ['Check', 'Watch'] },
          // Queries outside any request (pool warm-up, migrations, housekeeping) would each be a
          // root trace of their own.
          '@opentelemetry/instrumentation-pg': { requireParentSpan: true },
          '@opentelemetry/instrumentation-mongodb': { requireParentSpan: true },
          '@opentelemetry/instrumentation-mongoose': { requireParentSpan: true },
          '@opentelemetry/instrumentation-ioredis': { requireParentSpan: true },
        }),
      ],
    });

telemetry?.start();
if (telemetry) {
  addRequestIdPropagation();
  const sdk = telemetry;
  registerTelemetryShutdown(() => sdk.shutdown());
}

/**
 * Puts the request id (see request-id.ts) beside the SDK's propagators from OTEL_PROPAGATORS. The
 * SDK does not expose the propagator it built, so it is read back from the API's global; if a
 * future API hides it, request ids stay local to each process (logged, not propagated).
 */
function addRequestIdPropagation(): void {
  const api = propagation as unknown as { _getGlobalPropagator?: () => TextMapPropagator };
  const configured = api._getGlobalPropagator?.();
  if (!configured) {
    diag.warn('ordermesh: cannot read the global propagator; x-request-id is not propagated');
    return;
  }
  propagation.disable();
  propagation.setGlobalPropagator(new RequestIdPropagator(configured));
}

/** Flushes buffered spans; graceful shutdown calls it (through ./telemetry-handle) after the app closed. */
export { shutdownTelemetry } from './telemetry-handle';
