import { DynamicModule, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Readiness, SERVICE_CONFIG } from '@ordermesh/observability';
import { DataSource, type EntitySchema, type MixedList } from 'typeorm';
import { PreparingClient } from './prepared-statements';
import { PostgresRetention } from './retention';

/* eslint-disable @typescript-eslint/no-unsafe-function-type -- TypeORM's own list types */
export interface PostgresOptions {
  entities: MixedList<Function | string | EntitySchema>;
  /** Migration classes, run in order at start-up. The schema is never synchronised. */
  migrations: MixedList<Function | string>;
  poolSize?: number;
}
/* eslint-enable @typescript-eslint/no-unsafe-function-type */

@Injectable()
class PostgresReadiness implements OnModuleInit {
  constructor(
    private readonly readiness: Readiness,
    private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    this.readiness.register('postgres', async () => {
      const started = Date.now();
      await this.dataSource.query('SELECT 1');
      return { latencyMs: Date.now() - started };
    });
  }
}

/**
 * The service's own PostgreSQL database through TypeORM: DATABASE_URL from the validated
 * configuration, migrations run at start-up (each in its own transaction), `synchronize` never.
 * Global, for PostgresRetention: a module registers the rows of its tables that expire.
 */
@Module({})
export class PostgresModule {
  static forRoot(options: PostgresOptions): DynamicModule {
    return {
      module: PostgresModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [SERVICE_CONFIG],
          useFactory: (config: { DATABASE_URL: string }) => ({
            type: 'postgres' as const,
            url: config.DATABASE_URL,
            entities: options.entities,
            migrations: options.migrations,
            migrationsRun: true,
            migrationsTransactionMode: 'each' as const,
            synchronize: false,
            extra: {
              max: options.poolSize ?? 10,
              connectionTimeoutMillis: 3_000,
              // Statements are prepared once per connection (prepared-statements.ts).
              Client: PreparingClient,
            },
            // A database that comes up after the service (a fresh cluster binds the claim and
            // initialises PostgreSQL while the pods start) is waited for, ~90 s, inside the
            // chart's 120 s startup probe: the pod starts once instead of crash-looping.
            retryAttempts: 45,
            retryDelay: 2_000,
          }),
        }),
      ],
      providers: [
        PostgresReadiness,
        {
          provide: PostgresRetention,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => new PostgresRetention(dataSource),
        },
      ],
      exports: [PostgresRetention],
      global: true,
    };
  }
}
