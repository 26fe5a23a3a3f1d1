import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import express from 'express';
import { bodyParsing } from './body-parsing';

// The real parser chain on a loopback port: every way a body can fail is a 4xx in the error shape.
describe('body parsing at the gateway', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const app = express();
    for (const handler of bodyParsing('100kb')) app.use(handler);
    app.post('/echo', (request, response) => {
      response.json({ received: request.body });
    });
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/echo`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const post = async (body: string | Buffer, headers: Record<string, string>) => {
    const response = await fetch(url, { method: 'POST', body, headers });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const shape = (status: number) => ({
    statusCode: status,
    error: expect.any(String),
    message: expect.any(String),
  });

  it('parses a plain JSON body', async () => {
    const ok = await post('{"a":1}', { 'content-type': 'application/json' });
    expect(ok).toEqual({ status: 200, body: { received: { a: 1 } } });
    const zipped = await post(gzipSync('{"a":2}'), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect(zipped.body).toEqual({ received: { a: 2 } });
  });

  it.each([
    [
      'an unsupported charset',
      '{"a":1}',
      { 'content-type': 'application/json; charset=latin1' },
      415,
    ],
    [
      'an unknown Content-Encoding',
      '{"a":1}',
      { 'content-type': 'application/json', 'content-encoding': 'x-rot13' },
      415,
    ],
    [
      'a corrupt gzip body',
      Buffer.from('not gzip at all'),
      { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      400,
    ],
    ['malformed JSON', '{"a":', { 'content-type': 'application/json' }, 400],
    [
      'JSON nested 5000 deep',
      '['.repeat(5_000) + ']'.repeat(5_000),
      { 'content-type': 'application/json' },
      400,
    ],
    ['a NUL in a string', '{"name":"a\\u0000b"}', { 'content-type': 'application/json' }, 400],
    [
      'a body over the limit',
      JSON.stringify({ a: 'x'.repeat(200_000) }),
      { 'content-type': 'application/json' },
      413,
    ],
  ])('answers %s with %s', async (_case, body, headers, status) => {
    const response = await post(body, headers as Record<string, string>);
    expect(response.status).toBe(status);
    expect(response.body).toEqual(shape(status));
  });
});
