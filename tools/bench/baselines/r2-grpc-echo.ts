// Baseline R2: a bare grpc-js unary echo (the cost of one hop). The server half runs here, the
// client half in the benchmark's process; both sides' CPU is measured.
//
//   node r2-grpc-echo.ts   → prints {"port":N} once it listens on 127.0.0.1
import { grpc } from './drivers.ts';

const g = grpc();
const identity = (value: Buffer) => value;
export const ECHO_SERVICE = {
  echo: {
    path: '/bench.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const server = new g.Server();
  server.addService(ECHO_SERVICE, {
    echo: (call: { request: Buffer }, callback: (error: null, value: Buffer) => void) =>
      callback(null, call.request),
  });
  server.bindAsync('127.0.0.1:0', g.ServerCredentials.createInsecure(), (error, port) => {
    if (error) throw error;
    process.stdout.write(`${JSON.stringify({ port })}\n`);
  });
  process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
  process.stdin.on('end', () => process.exit(0)).resume(); // the benchmark is gone
}
