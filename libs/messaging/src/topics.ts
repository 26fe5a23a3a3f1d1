import { type TopicSpec, dlqTopic } from '@ordermesh/contracts';
import type { Admin, Kafka } from 'kafkajs';

/**
 * Creates each topic and its `<topic>.dlq` unless they exist; returns the names it created. The
 * local platform and the Helm job create the catalogue's topics themselves (topics.json); this is
 * for tests and tools. Replication and retention are the brokers' defaults.
 */
export async function ensureTopics(
  kafka: Pick<Kafka, 'admin'>,
  topics: readonly TopicSpec[],
): Promise<string[]> {
  const wanted = new Map<string, number>();
  for (const { name, partitions } of topics) {
    wanted.set(name, partitions);
    // Same partition count as the platform's DLQs (see topicSpecs in @ordermesh/contracts).
    if (!name.endsWith('.dlq')) wanted.set(dlqTopic(name), partitions);
  }
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [...wanted].filter(([name]) => !existing.has(name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map(([topic, numPartitions]) => ({ topic, numPartitions })),
      });
    }
    return missing.map(([name]) => name);
  } finally {
    await admin.disconnect();
  }
}
