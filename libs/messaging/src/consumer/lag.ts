/** Offsets as kafkajs' admin returns them (strings; `-1` = nothing committed yet). */
export interface PartitionWatermarks {
  partition: number;
  low: string;
  high: string;
}

export interface PartitionCommit {
  partition: number;
  offset: string;
}

/** The admin calls lag needs (kafkajs Admin satisfies it). */
export interface LagAdmin {
  fetchTopicOffsets(topic: string): Promise<PartitionWatermarks[]>;
  fetchOffsets(options: {
    groupId: string;
    topics: string[];
  }): Promise<Array<{ topic: string; partitions: PartitionCommit[] }>>;
}

/**
 * Records of one topic the group has not committed yet, summed over partitions. A partition without
 * a commit counts everything still retained: new groups start from the earliest offset.
 */
export function topicLag(watermarks: PartitionWatermarks[], commits: PartitionCommit[]): number {
  const committed = new Map(commits.map((c) => [c.partition, Number(c.offset)]));
  let lag = 0;
  for (const { partition, low, high } of watermarks) {
    const offset = committed.get(partition) ?? -1;
    const from = offset >= 0 ? Math.max(offset, Number(low)) : Number(low);
    lag += Math.max(0, Number(high) - from);
  }
  return lag;
}

export async function groupLag(
  admin: LagAdmin,
  groupId: string,
  topics: readonly string[],
): Promise<Map<string, number>> {
  const commits = await admin.fetchOffsets({ groupId, topics: [...topics] });
  const lags = new Map<string, number>();
  for (const topic of topics) {
    const watermarks = await admin.fetchTopicOffsets(topic);
    lags.set(topic, topicLag(watermarks, commits.find((c) => c.topic === topic)?.partitions ?? []));
  }
  return lags;
}
