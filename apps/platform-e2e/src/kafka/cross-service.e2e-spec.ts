import { waitFor } from '@ordermesh/testing';
import { Kafka, logLevel } from 'kafkajs';
import { anonymous } from '../support/fixtures';

interface Notification {
  kind: string;
  title: string;
  eventId: string;
}

describe('Kafka between service processes', () => {
  const kafka = new Kafka({
    clientId: 'e2e-cross-service',
    brokers: process.env['KAFKA_BROKERS']!.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  beforeAll(() => admin.connect());
  afterAll(() => admin.disconnect());

  it('delivers user.registered.v1 from the user process to the notification consumer group', async () => {
    const { client, userId } = await anonymous().newCustomer('Kafka Reader');

    // user wrote the event to its outbox in the registration transaction; the relay produced it;
    // notification consumed it in its own process, as member of the `notification` group.
    const welcome = await waitFor(
      async () => {
        const page = await client.get<{ items: Notification[] }>('/api/v1/notifications');
        return page.body.items.find((n) => n.kind === 'user.registered.v1');
      },
      { what: `the welcome notification of ${userId}` },
    );
    expect(welcome.title).toMatch(/welcome/i);

    // A rebalance can be under way at any moment (another suite's consumer leaving): wait it out.
    await waitFor(
      async () => {
        const { groups } = await admin.describeGroups(['notification']);
        return groups[0]?.state === 'Stable' || undefined;
      },
      { timeoutMs: 30_000, what: 'the notification group stable' },
    );
    const offsets = await admin.fetchOffsets({
      groupId: 'notification',
      topics: ['user.registered.v1'],
    });
    const committed = offsets[0]!.partitions.reduce(
      (sum, p) => sum + Math.max(0, Number(p.offset)),
      0,
    );
    expect(committed).toBeGreaterThan(0);
  });
});
