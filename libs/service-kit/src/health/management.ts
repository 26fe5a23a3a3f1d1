import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Metrics, type Readiness } from '@ordermesh/observability';
import type { NextFunction, Request, Response } from 'express';

/**
 * The management port (MANAGEMENT_PORT): readiness, metrics and liveness for Prometheus and the
 * kubelet, on a port of its own that no public Service or ingress exposes. A service that has one
 * answers on its public HTTP port only the bare liveness (`GET /health/live`): the readiness
 * report (topology, breaker states, dependency errors, a fan-out to every probe) and the metrics
 * never reach a client of the public API. Not traced, not rate limited, not logged per request.
 */
export const MANAGEMENT_PATHS = ['/health/live', '/health/ready', '/metrics'] as const;

/** On the public port of a service with a management port: what is not public is not there. */
export function publicOperationalPaths() {
  return (request: Request, response: Response, next: NextFunction): void => {
    // As Express routes: case-insensitive, a trailing slash ignored.
    const path = request.path.toLowerCase().replace(/\/+$/, '');
    if ((path === '/metrics' || path.startsWith('/health/')) && path !== '/health/live') {
      response.status(404).json({
        statusCode: 404,
        error: 'Not Found',
        message: `Cannot ${request.method} ${request.path}`,
      });
      return;
    }
    next();
  };
}

export interface ManagementServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startManagementServer(options: {
  host: string;
  port: number;
  readiness: Readiness;
  metrics: Metrics;
}): Promise<ManagementServer> {
  const send = (response: ServerResponse, status: number, type: string, body: string) => {
    response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    response.end(body);
  };
  const json = (response: ServerResponse, status: number, body: unknown) =>
    send(response, status, 'application/json; charset=utf-8', JSON.stringify(body));
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return json(response, 405, { statusCode: 405, error: 'Method Not Allowed' });
    }
    switch (path) {
      case '/health/live':
        return json(response, 200, { status: 'up' });
      case '/health/ready': {
        const report = await options.readiness.report();
        return json(response, report.ready ? 200 : 503, {
          status: report.ready ? 'up' : 'down',
          checks: report.checks,
        });
      }
      case '/metrics':
        return send(
          response,
          200,
          'text/plain; version=0.0.4; charset=utf-8',
          await options.metrics.registry.metrics(),
        );
      default:
        return json(response, 404, { statusCode: 404, error: 'Not Found' });
    }
  };
  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) =>
      json(response, 500, {
        statusCode: 500,
        error: 'Internal Server Error',
        message: (error as Error)?.message,
      }),
    );
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
