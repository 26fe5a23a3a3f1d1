/**
 * How the service bootstrap flushes spans at shutdown without importing the OpenTelemetry preload
 * (`@ordermesh/observability/telemetry`): importing that module *starts* the SDK, so any process
 * that merely imported a service library (a test worker, a tool) would instrument itself — its
 * `fetch` then appended a traceparent of its own to every request it sent, and the platform
 * continued that trace instead of the caller's. The preload registers its shutdown here; the
 * handle lives on globalThis, so a second copy of this module (a bundle) still finds it.
 */
const SHUTDOWN = Symbol.for('ordermesh.observability.telemetry.shutdown');

type Holder = { [SHUTDOWN]?: () => Promise<void> };

export function registerTelemetryShutdown(shutdown: () => Promise<void>): void {
  (globalThis as Holder)[SHUTDOWN] = shutdown;
}

/** Flushes buffered spans if the preload started the SDK in this process; otherwise nothing. */
export async function shutdownTelemetry(): Promise<void> {
  await (globalThis as Holder)[SHUTDOWN]?.().catch(() => undefined);
}
