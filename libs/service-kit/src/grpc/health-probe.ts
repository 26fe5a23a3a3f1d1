import path from 'node:path';
import { credentials, loadPackageDefinition, type Client } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { GRPC_LOADER_OPTIONS, GRPC_SERVICES, PROTO_ROOT } from '@ordermesh/contracts';

type HealthClient = Client & {
  check(
    request: { service: string },
    options: { deadline: number },
    callback: (error: Error | null, response?: { status: number }) => void,
  ): void;
};

const SERVING = 1;
const STATUS_NAMES = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

let HealthConstructor:
  | (new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => HealthClient)
  | undefined;

function healthConstructor() {
  if (!HealthConstructor) {
    const definition = loadSync(
      path.join(PROTO_ROOT, GRPC_SERVICES.health.file),
      GRPC_LOADER_OPTIONS,
    );
    const grpc = loadPackageDefinition(definition) as unknown as {
      grpc: { health: { v1: { Health: typeof HealthConstructor } } };
    };
    HealthConstructor = grpc.grpc.health.v1.Health;
  }
  return HealthConstructor!;
}

/** Asks a gRPC server's grpc.health.v1 service whether it is serving. */
export class GrpcHealthProbe {
  private readonly client: HealthClient;

  constructor(readonly address: string) {
    const Health = healthConstructor();
    this.client = new Health(address, credentials.createInsecure());
  }

  check(timeoutMs = 1_000): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.check(
        { service: '' },
        { deadline: Date.now() + timeoutMs },
        (error, response) => {
          if (error) return reject(error);
          if (response?.status === SERVING) return resolve();
          reject(new Error(`health status ${STATUS_NAMES[response?.status ?? 0] ?? 'UNKNOWN'}`));
        },
      );
    });
  }

  close(): void {
    this.client.close();
  }
}
