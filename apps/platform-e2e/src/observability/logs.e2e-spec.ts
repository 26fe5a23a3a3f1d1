import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { E2E_PROFILE, REPO_ROOT, waitFor } from '@ordermesh/testing';
import { anonymous } from '../support/fixtures';
import { newTraceparent } from './support';

/**
 * Log lines written while handling a request carry its trace id, span id and request id — in the
 * gateway and in the service it called over gRPC — and never the caller's password or token.
 *
 * Reads the services' log files (`.ordermesh/run/<profile>/logs/<service>.log`, what
 * `ordermesh logs <service>` prints): the CLI's output is cut short when it is piped and larger than
 * a pipe buffer (it exits before stdout drains), so a test cannot rely on it for many lines.
 */

type LogLine = Record<string, unknown>;

function logText(service: string): string {
  return readFileSync(
    path.join(REPO_ROOT, '.ordermesh/run', E2E_PROFILE, 'logs', `${service}.log`),
    'utf8',
  );
}

async function logLines(service: string): Promise<LogLine[]> {
  return logText(service)
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        return {};
      }
    });
}

describe('structured logs', () => {
  const { traceId, traceparent } = newTraceparent();
  const requestId = `e2e-logs-${randomUUID()}`;
  const email = `logs-${randomUUID()}@example.com`;
  const password = `secret-${randomUUID()}`;
  let accessToken = '';

  beforeAll(async () => {
    // Registration goes gateway → user (gRPC); login returns a token.
    const registered = await anonymous().request('POST', '/api/v1/auth/register', {
      body: { email, password, name: 'Log Tester' },
      headers: { traceparent, 'x-request-id': requestId },
    });
    expect(registered.status).toBe(201);
    expect(registered.headers.get('x-request-id')).toBe(requestId);
    const login = await anonymous().post<{ accessToken: string }>('/api/v1/auth/login', {
      email,
      password,
    });
    accessToken = login.body.accessToken;
    await anonymous().withToken(accessToken).get('/api/v1/users/me');
  });

  it("the gateway's request line carries the request's trace id, span id and request id", async () => {
    const line = await waitFor(
      async () => (await logLines('gateway')).find((l) => l['request_id'] === requestId),
      { timeoutMs: 10_000, what: 'the gateway log line of the request' },
    );
    expect(line).toMatchObject({
      service: 'gateway',
      trace_id: traceId,
      span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
      req: { id: requestId, method: 'POST', url: '/api/v1/auth/register' },
    });
  });

  it('the gRPC service it called logs the same trace id and request id', async () => {
    const line = await waitFor(
      async () => (await logLines('user')).find((l) => l['trace_id'] === traceId),
      { timeoutMs: 10_000, what: 'a user service log line of the trace' },
    );
    expect(line).toMatchObject({
      service: 'user',
      request_id: requestId,
      span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
  });

  it('never logs passwords or tokens', async () => {
    for (const service of ['gateway', 'user']) {
      const text = logText(service);
      expect(text).not.toContain(password);
      expect(text).not.toContain(accessToken);
    }
  });
});
