import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
// What a test worker or a tool imports (the bootstrap comes with the index).
import './index';
import '@ordermesh/messaging';
import '@ordermesh/persistence';

/**
 * Importing the service libraries must not start OpenTelemetry in the importing process: only a
 * service's main.ts does, with `import '@ordermesh/observability/telemetry'` first. When the
 * bootstrap imported that preload, every process that imported @ordermesh/service-kit (directly
 * or through @ordermesh/messaging or @ordermesh/persistence) — the e2e test worker among them —
 * instrumented its own `fetch`, which appended a traceparent of its own to each request: the
 * gateway then continued that trace instead of the caller's.
 */
describe('importing the service libraries', () => {
  it('starts no OpenTelemetry SDK and leaves outgoing requests alone', async () => {
    const api = (globalThis as Record<symbol, Record<string, unknown> | undefined>)[
      Symbol.for('opentelemetry.js.api.1')
    ];
    expect(Object.keys(api ?? {}).filter((key) => key !== 'version' && key !== 'diag')).toEqual([]);

    const server = createServer((request, response) =>
      response.end(JSON.stringify(request.headers)),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
      const response = await fetch(`http://127.0.0.1:${port}/`, { headers: { traceparent } });
      const headers = (await response.json()) as Record<string, string>;
      expect(headers['traceparent']).toBe(traceparent);
    } finally {
      server.close();
    }
  });
});
