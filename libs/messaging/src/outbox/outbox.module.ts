import {
  type DynamicModule,
  Global,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { Metrics } from '@ordermesh/observability';
import { PostgresRetention } from '@ordermesh/persistence';
import { DataSource } from 'typeorm';
import { KAFKA_OPTIONS, type KafkaModuleOptions } from '../kafka.module';
import { EventPublisher } from '../publisher';
import { Outbox } from './outbox';
import { OutboxRelay, type OutboxRelayOptions } from './relay';

const HOUR_MS = 3_600_000;

export interface OutboxModuleOptions extends Omit<OutboxRelayOptions, 'metrics' | 'logger'> {
  /** Published outbox rows are deleted after this long. Default 1 h. */
  publishedRetentionMs?: number;
  /**
   * Idempotent consumers' marks (processed_events) are deleted after this long. It must outlast
   * every redelivery Kafka can make: topic retention plus the age of the oldest segment a
   * partition keeps (the chart: 72 h retention, 7-day segment roll). Default 14 days.
   */
  processedEventRetentionMs?: number;
}

/** Registers the messaging tables' retention (a token: the registration is the point). */
const MESSAGING_RETENTION = Symbol('MESSAGING_RETENTION');

@Injectable()
export class OutboxLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(private readonly relay: OutboxRelay) {}

  /** After every module's init, so PostgresModule's migrations have created outbox_events. */
  onApplicationBootstrap(): void {
    this.relay.start();
  }

  /** First on shutdown, while Kafka and the database are still there for the round in flight. */
  async onModuleDestroy(): Promise<void> {
    await this.relay.stop();
  }
}

/**
 * The transactional outbox of a PostgreSQL service (global): `Outbox` to add events in a business
 * transaction and the `OutboxRelay` that publishes them. Needs KafkaModule, PostgresModule, and
 * MESSAGING_ENTITIES / MESSAGING_MIGRATIONS in the PostgresModule options.
 */
@Global()
@Module({})
export class OutboxModule {
  static forRoot(options: OutboxModuleOptions = {}): DynamicModule {
    return {
      module: OutboxModule,
      providers: [
        {
          provide: OutboxRelay,
          inject: [DataSource, EventPublisher, Metrics],
          useFactory: (dataSource: DataSource, publisher: EventPublisher, metrics: Metrics) =>
            new OutboxRelay(dataSource, publisher, {
              ...options,
              metrics,
              logger: new Logger('OutboxRelay'),
            }),
        },
        {
          provide: MESSAGING_RETENTION,
          inject: [PostgresRetention],
          useFactory: (retention: PostgresRetention) => {
            retention.register({
              table: 'outbox_events',
              timeColumn: 'published_at',
              retentionMs: options.publishedRetentionMs ?? HOUR_MS,
            });
            retention.register({
              table: 'processed_events',
              timeColumn: 'processed_at',
              retentionMs: options.processedEventRetentionMs ?? 14 * 24 * HOUR_MS,
            });
            return true;
          },
        },
        {
          provide: Outbox,
          inject: [KAFKA_OPTIONS, OutboxRelay],
          useFactory: (kafka: KafkaModuleOptions, relay: OutboxRelay) =>
            new Outbox({ source: kafka.clientId, relay }),
        },
        OutboxLifecycle,
      ],
      exports: [Outbox, OutboxRelay],
    };
  }
}
