import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { answerClientErrors } from './client-errors';

/** Sends raw bytes to the server and returns everything it answers until it closes. */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.write(request);
  });
}

const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));

describe('requests Node refuses before any handler', () => {
  let server: Server;
  let port: number;
  const handled: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      handled.push(request.url ?? '');
      response.end('ok');
    });
    answerClientErrors(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('answers headers over the size limit with 431 and the error shape', async () => {
    const answer = await raw(
      port,
      `GET /api/v1/orders HTTP/1.1\r\nHost: x\r\nX-Request-Id: ${'x'.repeat(64 * 1024)}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(answer).toMatch(/\r\nContent-Type: application\/json; charset=utf-8\r\n/);
    expect(bodyOf(answer)).toEqual({
      statusCode: 431,
      error: 'Request Header Fields Too Large',
      message: 'request headers too large',
    });
  });

  it('answers a malformed request with 400 and the error shape', async () => {
    const answer = await raw(port, 'NOT HTTP AT ALL\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(bodyOf(answer)).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'malformed HTTP request',
    });
  });

  it('leaves well-formed requests to the handler', async () => {
    const answer = await raw(port, 'GET /fine HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(handled).toEqual(['/fine']);
  });
});
