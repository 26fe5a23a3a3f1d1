import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';

/** How Node's HTTP parser failures map to a status, as Node's own default answer maps them. */
const STATUS_OF: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'request headers too large'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'chunk extensions too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'the request was not received in time'],
};

/** The raw HTTP/1.1 answer to a request Node refused before any handler saw it. */
export function clientErrorResponse(code: string | undefined): string {
  const [status, message] = STATUS_OF[code ?? ''] ?? [400, 'malformed HTTP request'];
  const body = JSON.stringify({ statusCode: status, error: STATUS_CODES[status], message });
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/**
 * What Node's HTTP parser refuses before any handler — headers over its size limit, a malformed
 * request line or header — is answered with the platform's error shape (`{statusCode, error,
 * message}`) instead of Node's bare 431/400 with an empty body. As Node's default: nothing is
 * written to a socket that is gone or whose response has started.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const response = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || response?.headersSent) {
      socket.destroy();
      return;
    }
    socket.end(clientErrorResponse(error.code));
  });
}
