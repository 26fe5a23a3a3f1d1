// Rewinds a (stopped) consumer group to the earliest offset of every topic it has offsets for:
//   node rewind-group.mjs <brokers> <group>   → prints {"topics":[…]}
// A process of its own: kafkajs' group join (which committing a group's offsets requires) keeps
// rebalancing against itself inside jest's module sandbox, while it works in plain Node.
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;
const [brokers, groupId] = process.argv.slice(2);
if (!brokers || !groupId) {
  process.stderr.write('usage: rewind-group.mjs <brokers> <group>\n');
  process.exit(2);
}
const kafka = new Kafka({
  clientId: 'chaos-rewind',
  brokers: brokers.split(','),
  logLevel: logLevel.NOTHING,
});
const admin = kafka.admin();
await admin.connect();
const topics = (await admin.fetchOffsets({ groupId })).map((t) => t.topic);
const earliest = [];
for (const topic of topics) {
  for (const { partition, low } of await admin.fetchTopicOffsets(topic)) {
    earliest.push({ topic, partition, offset: low });
  }
}
if (topics.length > 0) {
  // What kafkajs' admin.setOffsets does, for every topic at once and without its 5 s fetch wait:
  // join the group, seek (which commits), stop at the first fetch.
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await new Promise((resolve, reject) => {
    consumer.on(consumer.events.FETCH, () => consumer.stop().then(resolve, reject));
    consumer.run({ eachBatchAutoResolve: false, eachBatch: async () => undefined }).catch(reject);
    consumer.pause(topics.map((topic) => ({ topic })));
    for (const { topic, partition, offset } of earliest)
      consumer.seek({ topic, partition, offset });
  });
  await consumer.disconnect();
}
const committed = await admin.fetchOffsets({ groupId, topics });
const behind = earliest.filter(({ topic, partition, offset }) => {
  const mine = committed
    .find((t) => t.topic === topic)
    ?.partitions.find((p) => p.partition === partition);
  return !mine || mine.offset !== offset;
});
await admin.disconnect();
if (behind.length > 0) {
  process.stderr.write(`not rewound: ${JSON.stringify(behind)}\n`);
  process.exit(1);
}
process.stdout.write(`${JSON.stringify({ topics })}\n`);
