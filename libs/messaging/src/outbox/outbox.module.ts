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
import { DataSource } from 'typeorm';
import { KAFKA_OPTIONS, type KafkaModuleOptions } from '../kafka.module';
import { EventPublisher } from '../publisher';
import { Outbox } from './outbox';
import { OutboxRelay, type OutboxRelayOptions } from './relay';

export type OutboxModuleOptions = Omit<OutboxRelayOptions, 'metrics' | 'logger'>;

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
