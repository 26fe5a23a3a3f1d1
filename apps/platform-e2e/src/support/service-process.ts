import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { waitFor } from '@ordermesh/testing';

/**
 * Ports handed out here lie above Linux's ephemeral range (32768–60999), where no port of the
 * platform lies either: a port the kernel chose (`listen(0)`) is an ephemeral one, and between this check and the
 * service's own bind any outgoing connection of the machine — the new process's own to Redis or
 * Kafka — may take it as its local port (EADDRINUSE, the process exits; seen on the management
 * port of an edge-test gateway).
 */
const PORTS = { from: 61_000, to: 65_000 } as const;
const handedOut = new Set<number>();

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free loopback port outside the ephemeral range, never the same twice in one run. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = PORTS.from + Math.floor(Math.random() * (PORTS.to - PORTS.from));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${PORTS.from}..${PORTS.to}`);
}

/** A service process started by a test, beside the platform's own. */
export interface ServiceProcess {
  url: string;
  /** Liveness answer that proved it started. */
  live: unknown;
  /** SIGTERM, and resolves once the process exited. */
  stop(): Promise<void>;
}

/**
 * Starts `node <entry>` in `cwd` with `env` (on top of PATH) on free HTTP and gRPC ports, and
 * waits until it answers liveness; fails with the end of its output if it exits first.
 */
export async function startServiceProcess(options: {
  cwd: string;
  entry: string;
  env: Record<string, string>;
  what: string;
}): Promise<ServiceProcess> {
  const httpPort = await freePort();
  const grpcPort = await freePort();
  // A second gateway or storefront beside the platform's own: a management port of its own too.
  const management = options.env['MANAGEMENT_PORT']
    ? { MANAGEMENT_PORT: String(await freePort()) }
    : {};
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [options.entry], {
    cwd: options.cwd,
    env: {
      PATH: process.env['PATH'],
      ...options.env,
      HTTP_PORT: String(httpPort),
      GRPC_PORT: String(grpcPort),
      ...management,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // 'close': the process exited and its output is complete.
  let closed = false;
  const exited = new Promise<void>((resolve) =>
    child.once('close', () => {
      closed = true;
      resolve();
    }),
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const url = `http://127.0.0.1:${httpPort}`;
  try {
    const answer = await waitFor<{ live: unknown } | { exited: number | null }>(
      async () => {
        // A process that exited fails at once (not after the timeout), with its last output.
        if (closed) return { exited: child.exitCode };
        const response = await fetch(`${url}/health/live`);
        return response.status === 200 ? { live: (await response.json()) as unknown } : undefined;
      },
      { timeoutMs: 60_000, what: `${options.what} liveness` },
    );
    if ('exited' in answer) {
      // The reason is often among the first lines (a port taken, a bad setting); the end shows
      // how far it got.
      const problems = output
        .split('\n')
        .filter((line) => /"level":(40|50|60)|Error|EADDRINUSE/.test(line))
        .join('\n');
      throw new Error(
        `exited ${answer.exited}: ${problems.slice(0, 2000)}\n…\n${output.slice(-2000)}`,
      );
    }
    return { url, live: answer.live, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
