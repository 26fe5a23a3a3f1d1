import {
  Client,
  Server,
  ServerCredentials,
  credentials,
  type ServiceDefinition,
  type ServerUnaryCall,
  type sendUnaryData,
} from '@grpc/grpc-js';
import {
  GRPC_CLIENT_CHANNEL_OPTIONS,
  GRPC_SERVER_CHANNEL_OPTIONS,
  isGrpcTarget,
  targetAddresses,
} from './channel';

describe('downstream gRPC targets', () => {
  it.each([
    'inventory:50053',
    'dns:///inventory-grpc:50053',
    'dns:inventory-grpc.ordermesh.svc.cluster.local:50053',
    'ipv4:127.0.0.1:30053',
    'ipv4:127.0.0.1:30053,127.0.0.1:30063,127.0.0.1:30073',
  ])('accepts %s', (target) => expect(isGrpcTarget(target)).toBe(true));

  it.each([
    'inventory',
    'dns:///inventory',
    'ipv4:127.0.0.1',
    'ipv4:localhost:30053',
    'ipv4:127.0.0.1:30053,',
    'http://inventory:50053',
    '127.0.0.1:30053,127.0.0.1:30063',
  ])('refuses %s', (target) => expect(isGrpcTarget(target)).toBe(false));

  it('lists the addresses of a target', () => {
    expect(targetAddresses('ipv4:127.0.0.1:30053,127.0.0.1:30063')).toEqual([
      '127.0.0.1:30053',
      '127.0.0.1:30063',
    ]);
    expect(targetAddresses('dns:///inventory-grpc:50053')).toEqual(['inventory-grpc:50053']);
    expect(targetAddresses('inventory:50053')).toEqual(['inventory:50053']);
  });
});

// A one-method service on raw bytes: each server answers with its own name.
const echo: ServiceDefinition = {
  who: {
    path: '/test.Echo/Who',
    requestStream: false,
    responseStream: false,
    requestSerialize: (value: Buffer) => value,
    requestDeserialize: (bytes: Buffer) => bytes,
    responseSerialize: (value: Buffer) => value,
    responseDeserialize: (bytes: Buffer) => bytes,
  },
};

async function startServer(name: string): Promise<{ server: Server; port: number }> {
  const server = new Server({ ...GRPC_SERVER_CHANNEL_OPTIONS });
  server.addService(echo, {
    who: (_call: ServerUnaryCall<Buffer, Buffer>, done: sendUnaryData<Buffer>) =>
      done(null, Buffer.from(name)),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { server, port };
}

describe('the client channel options', () => {
  it('spread calls over every address of an ipv4: list, call by call', async () => {
    const servers = await Promise.all(['a', 'b', 'c'].map(startServer));
    const target = `ipv4:${servers.map((s) => `127.0.0.1:${s.port}`).join(',')}`;
    const client = new Client(target, credentials.createInsecure(), {
      ...GRPC_CLIENT_CHANNEL_OPTIONS,
    });
    try {
      const counts: Record<string, number> = {};
      for (let i = 0; i < 30; i++) {
        const who = await new Promise<string>((resolve, reject) =>
          client.makeUnaryRequest(
            echo['who']!.path,
            (value: Buffer) => value,
            (bytes: Buffer) => bytes,
            Buffer.alloc(0),
            { deadline: Date.now() + 5_000 },
            (error, reply) => (error ? reject(error) : resolve(reply!.toString())),
          ),
        );
        counts[who] = (counts[who] ?? 0) + 1;
      }
      // round_robin: every connected address in turn (the first calls may all go to the first
      // one that connected).
      expect(Object.keys(counts).sort()).toEqual(['a', 'b', 'c']);
      for (const n of Object.values(counts)) expect(n).toBeGreaterThanOrEqual(5);
    } finally {
      client.close();
      for (const { server } of servers) server.forceShutdown();
    }
  });
});
