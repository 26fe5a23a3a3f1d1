import {
  Client,
  Metadata,
  Server,
  ServerCredentials,
  credentials,
  type ServiceDefinition,
  type ServerUnaryCall,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { isRetryableRpc } from '@ordermesh/contracts';
import { Metrics } from '@ordermesh/observability';
import { Observable } from 'rxjs';
import {
  GRPC_CLIENT_CHANNEL_OPTIONS,
  GRPC_SERVER_CHANNEL_OPTIONS,
  isGrpcTarget,
  targetAddresses,
} from './channel';
import { GrpcClient } from './client';

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

async function startServer(
  name: string,
  options: Record<string, number> = GRPC_SERVER_CHANNEL_OPTIONS,
  port = 0,
): Promise<{ server: Server; port: number }> {
  const server = new Server({ ...options });
  server.addService(echo, {
    who: (_call: ServerUnaryCall<Buffer, Buffer>, done: sendUnaryData<Buffer>) =>
      done(null, Buffer.from(name)),
  });
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error, at) =>
      error ? reject(error) : resolve(at),
    ),
  );
  return { server, port: bound };
}

/** The shape of a Nest ClientGrpc service stub (`createProduct`), calling the echo server. */
function echoStub(channel: Client) {
  return {
    createProduct: (_request: never, metadata?: Metadata, options?: { deadline: number }) =>
      new Observable<string>((subscriber) => {
        channel.makeUnaryRequest(
          echo['who']!.path,
          (value: Buffer) => value,
          (bytes: Buffer) => bytes,
          Buffer.alloc(0),
          metadata ?? new Metadata(),
          options ?? {},
          (error, reply) => {
            if (error) subscriber.error(error);
            else {
              subscriber.next(reply!.toString());
              subscriber.complete();
            }
          },
        );
      }),
  };
}

const who = (client: Client) =>
  new Promise<string>((resolve, reject) =>
    client.makeUnaryRequest(
      echo['who']!.path,
      (value: Buffer) => value,
      (bytes: Buffer) => bytes,
      Buffer.alloc(0),
      { deadline: Date.now() + 5_000 },
      (error, reply) => (error ? reject(error) : resolve(reply!.toString())),
    ),
  );

describe('the client channel options', () => {
  it('spread calls over every address of an ipv4: list, call by call', async () => {
    const servers = await Promise.all(['a', 'b', 'c'].map((name) => startServer(name)));
    const target = `ipv4:${servers.map((s) => `127.0.0.1:${s.port}`).join(',')}`;
    const client = new Client(target, credentials.createInsecure(), {
      ...GRPC_CLIENT_CHANNEL_OPTIONS,
    });
    try {
      const counts: Record<string, number> = {};
      for (let i = 0; i < 30; i++) {
        const name = await who(client);
        counts[name] = (counts[name] ?? 0) + 1;
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

  it('lose no call, not even of an RPC unsafe to repeat, while servers recycle their connections', async () => {
    // A connection age of 200 ms: every connection gets a GOAWAY many times during the calls. A
    // call sent in that instant is refused by the server unseen (REFUSED_STREAM); GrpcClient
    // sends it again, even for an RPC that is never retried otherwise.
    expect(isRetryableRpc('product', 'CreateProduct')).toBe(false);
    const servers = await Promise.all(
      ['a', 'b'].map((name) =>
        startServer(name, {
          'grpc.max_connection_age_ms': 200,
          'grpc.max_connection_age_grace_ms': 5_000,
        }),
      ),
    );
    const target = `ipv4:${servers.map((s) => `127.0.0.1:${s.port}`).join(',')}`;
    const channel = new Client(target, credentials.createInsecure(), {
      ...GRPC_CLIENT_CHANNEL_OPTIONS,
    });
    const stub = echoStub(channel);
    const client = new GrpcClient('product', stub, new Metrics('test'), ['CreateProduct']);
    try {
      const until = Date.now() + 2_000;
      const failures: string[] = [];
      let calls = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (Date.now() < until) {
            calls++;
            await client
              .call('createProduct', {} as never)
              .catch((error: Error) => failures.push(error.message));
          }
        }),
      );
      expect(calls).toBeGreaterThan(20);
      expect(failures).toEqual([]);
    } finally {
      client.close();
      channel.close();
      for (const { server } of servers) server.forceShutdown();
    }
  });
});

describe('a downstream that restarts', () => {
  it("is called again as soon as the channel reconnects, not after the breaker's reset timeout", async () => {
    const first = await startServer('before');
    const port = first.port;
    const channel = new Client(`127.0.0.1:${port}`, credentials.createInsecure(), {
      ...GRPC_CLIENT_CHANNEL_OPTIONS,
    });
    const stub = echoStub(channel);
    // A reset timeout far beyond the test's patience: only the reconnect can close the breaker.
    const client = new GrpcClient(
      'product',
      stub,
      new Metrics('test'),
      ['CreateProduct'],
      { volumeThreshold: 3, resetTimeoutMs: 600_000 },
      channel.getChannel(),
    );
    let second: { server: Server } | undefined;
    try {
      expect(await client.call('createProduct', {} as never)).toBe('before');
      first.server.forceShutdown();
      for (let i = 0; i < 20 && client.breakerState !== 'open'; i++) {
        await client.call('createProduct', {} as never).catch(() => undefined);
      }
      expect(client.breakerState).toBe('open');
      second = await startServer('after', GRPC_SERVER_CHANNEL_OPTIONS, port);
      let answer: string | undefined;
      const until = Date.now() + 10_000;
      while (!answer && Date.now() < until) {
        answer = await client.call('createProduct', {} as never).catch(() => undefined);
        if (!answer) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect({ answer, breaker: client.breakerState }).toEqual({
        answer: 'after',
        breaker: 'closed',
      });
    } finally {
      client.close();
      channel.close();
      second?.server.forceShutdown();
    }
  }, 20_000);
});
