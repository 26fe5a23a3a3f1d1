// The open-model load generator: requests start on a schedule whatever earlier ones do, and each
// latency is measured from the request's scheduled start (a late start counts against the system,
// so a saturated system cannot hide behind its own slowness: no coordinated omission).
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { scheduleOffsets } from './open-model.ts';

export interface Sample {
  /** The request's number in the step (the `fire` argument). */
  index: number;
  /** Scheduled start, ms from the step's start. */
  atMs: number;
  /** From the scheduled start to the answer (or to the failure). */
  latencyMs: number;
  ok: boolean;
}

export interface OpenLoadResult {
  rate: number;
  durationMs: number;
  samples: Sample[];
  /** Requests never started because `maxInFlight` were outstanding (counted as errors). */
  dropped: number;
  /** performance.now() at the step's start: scheduled start i = startedAt + samples[i].atMs. */
  startedAt: number;
  /** Wall time from the start to the last answer. */
  wallMs: number;
}

/**
 * Runs `fire(i)` at `rate` per second for `durationMs`. `fire` resolves to whether the request
 * succeeded (it must not throw, and must time out on its own). At most `maxInFlight` requests are
 * outstanding: a start beyond that is dropped and counted as an error (the step failed anyway).
 */
export async function runOpenLoad(opts: {
  rate: number;
  durationMs: number;
  maxInFlight: number;
  fire: (index: number) => Promise<boolean>;
}): Promise<OpenLoadResult> {
  const offsets = scheduleOffsets(opts.rate, opts.durationMs);
  const samples: Sample[] = [];
  const pending = new Set<Promise<void>>();
  let dropped = 0;
  const startedAt = performance.now();
  let next = 0;
  while (next < offsets.length) {
    const now = performance.now() - startedAt;
    while (next < offsets.length && offsets[next]! <= now) {
      const index = next++;
      const atMs = offsets[index]!;
      if (pending.size >= opts.maxInFlight) {
        dropped++;
        samples.push({ index, atMs, latencyMs: now - atMs, ok: false });
        continue;
      }
      const done: Promise<void> = opts.fire(index).then((ok) => {
        samples.push({ index, atMs, latencyMs: performance.now() - startedAt - atMs, ok });
        pending.delete(done);
      });
      pending.add(done);
    }
    if (next < offsets.length) {
      const wait = offsets[next]! - (performance.now() - startedAt);
      // Timers are ~1 ms coarse: sleep when the next start is far, else yield to I/O only.
      if (wait > 1.5) await sleep(wait - 1);
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }
  await Promise.all(pending);
  return {
    rate: opts.rate,
    durationMs: opts.durationMs,
    samples: samples.sort((a, b) => a.atMs - b.atMs),
    dropped,
    startedAt,
    wallMs: performance.now() - startedAt,
  };
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** A keep-alive HTTP/1.1 client: one agent, so connections are reused across requests. */
export class HttpClient {
  readonly agent: http.Agent;
  private readonly base: string;
  private readonly timeoutMs: number;
  constructor(base: string, maxSockets = 512, timeoutMs = 10_000) {
    this.base = base;
    this.timeoutMs = timeoutMs;
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  /** One request; status 0 for a network error or a timeout (never throws). */
  request(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: unknown,
  ): Promise<HttpAnswer> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve) => {
      const request = http.request(
        `${this.base}${path}`,
        {
          method,
          agent: this.agent,
          timeout: this.timeoutMs,
          headers: {
            ...headers,
            ...(payload === undefined
              ? {}
              : {
                  'content-type': 'application/json',
                  'content-length': String(Buffer.byteLength(payload)),
                }),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
          );
          response.on('error', () => resolve({ status: 0, body: '' }));
        },
      );
      request.on('timeout', () => request.destroy(new Error('timeout')));
      request.on('error', () => resolve({ status: 0, body: '' }));
      request.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Runs `call` with `concurrency` workers back to back for `durationMs` (closed model). */
export async function runClosedLoop(
  concurrency: number,
  durationMs: number,
  call: () => Promise<number>,
): Promise<{ latencyMs: number[]; wallMs: number }> {
  const latencyMs: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() - started < durationMs) latencyMs.push(await call());
    }),
  );
  return { latencyMs, wallMs: performance.now() - started };
}
