import { type Admin, Kafka, Partitioners, type Producer, logLevel } from 'kafkajs';
import { LazyConnection } from './connection';
import { fixKafkajsIdleLoop } from './kafkajs-idle-loop';
import { type MessagingLogger, silentLogger } from './logger';
import type { MessageSender } from './publisher';

export interface KafkaClientsOptions {
  /** The service name (one name everywhere, see docs/conventions.md). */
  clientId: string;
  brokers: string[];
  logger?: MessagingLogger;
}

/**
 * kafkajs warns when an idempotent producer's retries are bounded. They are bounded on purpose: an
 * unbounded send would hold the relay's database transaction for as long as Kafka is down, while
 * the outbox already retries (with backoff) and consumers deduplicate the rare resend.
 */
const EXPECTED_WARNINGS = [/Limiting retries for the idempotent producer/];

interface KafkaLogEntry {
  level: logLevel;
  namespace: string;
  log: { message: string; error?: unknown; broker?: unknown; groupId?: unknown };
}

/** kafkajs' own log lines, through the service's logger (warnings and errors only). */
export function kafkaLogCreator(logger: MessagingLogger) {
  return () =>
    ({ level, namespace, log }: KafkaLogEntry): void => {
      if (EXPECTED_WARNINGS.some((pattern) => pattern.test(log.message))) return;
      // The useful part (e.g. "The coordinator is not available") is in the extra fields.
      const details = (['error', 'broker', 'groupId'] as const)
        .filter((field) => log[field] !== undefined)
        .map((field) => `${field}=${String(log[field])}`);
      const suffix = details.length > 0 ? ` (${details.join(', ')})` : '';
      const message = `kafkajs ${namespace}: ${log.message}${suffix}`;
      if (level === logLevel.ERROR) logger.error(message);
      else if (level === logLevel.WARN) logger.warn(message);
    };
}

/**
 * One Kafka client per process with its idempotent producer and admin client, both connected
 * lazily (see LazyConnection). Consumers are created per subscription by EventConsumer.
 */
export class KafkaClients {
  readonly kafka: Kafka;
  readonly producer: LazyConnection<Producer>;
  readonly admin: LazyConnection<Admin>;

  constructor(options: KafkaClientsOptions) {
    // Every connection of this process gets a request queue that does not spin while idle.
    if (!fixKafkajsIdleLoop()) {
      (options.logger ?? silentLogger).warn(
        'kafkajs is not the version whose idle-loop fix was checked: see kafkajs-idle-loop.ts',
      );
    }
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      connectionTimeout: 3_000,
      retry: { initialRetryTime: 200, retries: 5, maxRetryTime: 5_000 },
      logLevel: logLevel.WARN,
      logCreator: kafkaLogCreator(options.logger ?? silentLogger),
    });
    this.producer = new LazyConnection(
      this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // The Java client's murmur2 partitioning: a key lands on the same partition from any client.
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { initialRetryTime: 100, retries: 5, maxRetryTime: 2_000 },
      }),
    );
    this.admin = new LazyConnection(this.kafka.admin());
  }

  /** A MessageSender that connects the producer on first use. */
  sender(): MessageSender {
    return { send: async (record) => (await this.producer.get()).send(record) };
  }

  /** Readiness: the cluster answers a metadata request. */
  async describeCluster(): Promise<{ brokers: number; controller: number | null }> {
    const cluster = await (await this.admin.get()).describeCluster();
    return { brokers: cluster.brokers.length, controller: cluster.controller };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.producer.close(), this.admin.close()]);
  }
}
