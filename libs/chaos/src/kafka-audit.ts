// What the checker reads of Kafka, through any admin client (the local broker, or a cluster's).
import type { Admin } from 'kafkajs';

/** Records in every `*.dlq` topic (sum of high watermarks minus low). */
export async function deadLetterCounts(admin: Admin): Promise<Record<string, number>> {
  const topics = (await admin.listTopics()).filter((topic) => topic.endsWith('.dlq'));
  const counts: Record<string, number> = {};
  for (const topic of topics.sort()) {
    const offsets = await admin.fetchTopicOffsets(topic);
    counts[topic] = offsets.reduce((sum, p) => sum + (Number(p.high) - Number(p.low)), 0);
  }
  return counts;
}

/** The consumer groups among `services` (group = service name) that exist on the broker. */
export async function serviceGroups(admin: Admin, services: readonly string[]): Promise<string[]> {
  const { groups } = await admin.listGroups();
  return groups
    .map((group) => group.groupId)
    .filter((id) => services.includes(id))
    .sort();
}

/** Records not yet committed by a group, over every topic it consumes. */
export async function groupLag(admin: Admin, groupId: string): Promise<number> {
  const committed = await admin.fetchOffsets({ groupId });
  let lag = 0;
  for (const { topic, partitions } of committed) {
    const ends = await admin.fetchTopicOffsets(topic);
    for (const end of ends) {
      const mine = partitions.find((p) => p.partition === end.partition);
      const offset = mine && Number(mine.offset) >= 0 ? Number(mine.offset) : Number(end.low);
      lag += Math.max(0, Number(end.high) - offset);
    }
  }
  return lag;
}
