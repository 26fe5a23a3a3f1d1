import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { ServiceName } from '@ordermesh/contracts';
import { Metrics } from '@ordermesh/observability';
import { Readiness, SERVICE_CONFIG } from '@ordermesh/observability';
import type { Kafka } from 'kafkajs';
import { EventConsumer } from './consumer/event-consumer';
import { KafkaClients } from './kafka';
import { errorMessage } from './logger';
import { EventPublisher } from './publisher';

export interface KafkaModuleOptions {
  /** The service name: Kafka client id, default consumer group and the events' `source`. */
  clientId: ServiceName;
}

export const KAFKA_OPTIONS = Symbol('KAFKA_OPTIONS');
/** The kafkajs `Kafka` instance, for tools that need the raw client (e.g. ensureTopics). */
export const KAFKA = Symbol('KAFKA');

/** `@InjectKafka() kafka: Kafka` */
export const InjectKafka = (): ParameterDecorator & PropertyDecorator => Inject(KAFKA);

/** How long start-up waits for Kafka before going on without it (the outbox holds the events). */
const CONNECT_WAIT_MS = 3_000;

@Injectable()
export class KafkaLifecycle implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('Kafka');

  constructor(
    private readonly clients: KafkaClients,
    private readonly consumer: EventConsumer,
    private readonly readiness: Readiness,
  ) {}

  async onModuleInit(): Promise<void> {
    // Non-critical: while Kafka is down the service keeps serving (reads, and writes whose events
    // wait in the outbox); the check still shows the outage on /health/ready.
    this.readiness.register('kafka', () => this.clients.describeCluster(), { critical: false });
    const connected = this.clients.producer.get().then(
      () => true,
      (error: unknown) => {
        this.logger.warn(`Kafka not reachable at start-up, will retry: ${errorMessage(error)}`);
        return false;
      },
    );
    const timeout = new Promise<false>((resolve) =>
      setTimeout(() => resolve(false), CONNECT_WAIT_MS).unref(),
    );
    await Promise.race([connected, timeout]);
  }

  /** Consumers go first (with the outbox relay), while the database pools are still open. */
  async onModuleDestroy(): Promise<void> {
    await this.consumer.stop();
  }

  /** The producer goes last: the relay and dead-lettering use it until their modules stopped. */
  async onApplicationShutdown(): Promise<void> {
    await this.clients.close();
  }
}

/**
 * Kafka for a service (global): the idempotent producer behind EventPublisher, EventConsumer for
 * subscriptions, and the non-critical `kafka` readiness check. Brokers come from KAFKA_BROKERS in
 * the validated configuration. Services that publish events also import OutboxModule.
 */
@Global()
@Module({})
export class KafkaModule {
  static forRoot(options: KafkaModuleOptions): DynamicModule {
    return {
      module: KafkaModule,
      providers: [
        { provide: KAFKA_OPTIONS, useValue: options },
        {
          provide: KafkaClients,
          inject: [SERVICE_CONFIG],
          useFactory: (config: { KAFKA_BROKERS: string[] }) =>
            new KafkaClients({
              clientId: options.clientId,
              brokers: config.KAFKA_BROKERS,
              logger: new Logger('kafkajs'),
            }),
        },
        {
          provide: KAFKA,
          inject: [KafkaClients],
          useFactory: (clients: KafkaClients): Kafka => clients.kafka,
        },
        {
          provide: EventPublisher,
          inject: [KafkaClients, Metrics],
          useFactory: (clients: KafkaClients, metrics: Metrics) =>
            new EventPublisher(clients.sender(), { metrics }),
        },
        {
          provide: EventConsumer,
          inject: [KafkaClients, EventPublisher, Metrics],
          useFactory: (clients: KafkaClients, publisher: EventPublisher, metrics: Metrics) =>
            new EventConsumer({
              kafka: clients.kafka,
              publisher,
              defaultGroupId: options.clientId,
              admin: () => clients.admin.get(),
              metrics,
              logger: new Logger('EventConsumer'),
            }),
        },
        KafkaLifecycle,
      ],
      exports: [KAFKA_OPTIONS, KAFKA, KafkaClients, EventPublisher, EventConsumer],
    };
  }
}
