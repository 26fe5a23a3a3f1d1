import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Metrics, Readiness } from '@ordermesh/observability';
import express from 'express';
import { publicOperationalPaths, startManagementServer } from './management';

async function get(url: string) {
  const response = await fetch(url);
  return { status: response.status, text: await response.text() };
}

describe('the management port', () => {
  it('serves liveness, readiness (with its checks) and metrics; 503 once shutting down', async () => {
    const readiness = new Readiness();
    readiness.register('database', async () => ({ pool: 3 }));
    const metrics = new Metrics('management-spec');
    const server = await startManagementServer({ host: '127.0.0.1', port: 0, readiness, metrics });
    const base = `http://127.0.0.1:${server.port}`;
    try {
      expect(await get(`${base}/health/live`)).toEqual({ status: 200, text: '{"status":"up"}' });
      const ready = await get(`${base}/health/ready`);
      expect(ready.status).toBe(200);
      expect(JSON.parse(ready.text)).toEqual({
        status: 'up',
        checks: { database: { status: 'up', pool: 3 } },
      });
      const scraped = await get(`${base}/metrics`);
      expect(scraped.status).toBe(200);
      expect(scraped.text).toContain('ordermesh_process_cpu_seconds_total');
      expect((await get(`${base}/api/v1/products`)).status).toBe(404);
      readiness.beginShutdown();
      expect((await get(`${base}/health/ready`)).status).toBe(503);
    } finally {
      await server.close();
    }
  });

  it('leaves the public port only the bare liveness', async () => {
    const app = express();
    app.use(publicOperationalPaths());
    for (const path of ['/health/live', '/health/ready', '/metrics', '/api/v1/products']) {
      app.get(path, (_request, response) => void response.json({ path }));
    }
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await get(`${base}/health/live`)).status).toBe(200);
      expect((await get(`${base}/api/v1/products`)).status).toBe(200);
      for (const path of [
        '/health/ready',
        '/metrics',
        '/METRICS',
        '/metrics/',
        '/Health/Ready?x=1',
        '/health/other',
      ]) {
        const refused = await get(`${base}${path}`);
        expect([path, refused.status]).toEqual([path, 404]);
        expect(JSON.parse(refused.text)).toMatchObject({ statusCode: 404, error: 'Not Found' });
      }
    } finally {
      server.close();
    }
  });
});
