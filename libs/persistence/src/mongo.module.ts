import { DynamicModule, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { InjectConnection, MongooseModule } from '@nestjs/mongoose';
import { Readiness, SERVICE_CONFIG } from '@ordermesh/observability';
import type { Connection } from 'mongoose';

@Injectable()
class MongoReadiness implements OnModuleInit {
  constructor(
    private readonly readiness: Readiness,
    @InjectConnection() private readonly connection: Connection,
  ) {}

  onModuleInit(): void {
    this.readiness.register('mongodb', async () => {
      const started = Date.now();
      await this.connection.db?.admin().ping();
      if (!this.connection.db) throw new Error('not connected');
      return { latencyMs: Date.now() - started };
    });
  }
}

/** The service's own MongoDB database (MONGODB_URL), with a readiness check. */
@Module({})
export class MongoModule {
  static forRoot(): DynamicModule {
    return {
      module: MongoModule,
      imports: [
        MongooseModule.forRootAsync({
          inject: [SERVICE_CONFIG],
          useFactory: (config: { MONGODB_URL: string }) => ({
            uri: config.MONGODB_URL,
            serverSelectionTimeoutMS: 3_000,
            // FerretDB (local platform) and MongoDB (Kubernetes) both speak the wire protocol;
            // retryable writes need a replica set, which neither local set-up runs.
            retryWrites: false,
          }),
        }),
      ],
      providers: [MongoReadiness],
    };
  }
}
