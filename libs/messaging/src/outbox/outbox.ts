import {
  type EventDataInput,
  type EventEnvelope,
  type EventType,
  type ServiceName,
  createEvent,
  getEventDefinition,
} from '@ordermesh/contracts';
import type { EntityManager } from 'typeorm';
import { captureTraceContext } from '../tracing';
import { OutboxEventEntity } from './entities';

/** Set on a transaction's QueryRunner by Outbox.add; the relay's commit listener looks for it. */
export const OUTBOX_PENDING = 'ordermesh.outbox.pending';

export interface OutboxOptions {
  /** The producing service, written as the envelope's `source`. */
  source: ServiceName;
  /** Told when events may be waiting (the relay, in a service). */
  relay?: { notify(): void } | undefined;
}

/**
 * Writes events into the service's own database, in the caller's transaction: an event exists iff
 * the business change it describes committed. The OutboxRelay publishes it afterwards.
 */
export class Outbox {
  constructor(private readonly options: OutboxOptions) {}

  /**
   * Validates `data` against the catalogue (throws EventValidationError), records the active
   * trace context so consumers continue the request's trace, and inserts the event with `manager`,
   * which must belong to an open transaction. Returns the envelope (its `id` is the event id).
   */
  async add<T extends EventType>(
    manager: EntityManager,
    type: T,
    data: EventDataInput<T>,
    options: { key?: string } = {},
  ): Promise<EventEnvelope<T>> {
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) {
      // Outside a transaction the insert would commit on its own, with or without the change.
      throw new Error(`Outbox.add(${type}) must be given the manager of an open transaction`);
    }
    const { producer } = getEventDefinition(type);
    if (producer !== this.options.source) {
      // Consumers dead-letter it as forged (RecordProcessor): refuse it here, with the change.
      throw new Error(
        `Outbox.add(${type}): the event catalogue names ${producer} as its producer, not ${this.options.source}`,
      );
    }
    const envelope = createEvent(type, data, {
      source: this.options.source,
      key: options.key,
      traceContext: captureTraceContext(),
    });
    await manager.getRepository(OutboxEventEntity).insert({
      id: envelope.id,
      topic: getEventDefinition(type).topic,
      key: envelope.key,
      envelope: envelope as EventEnvelope,
    });
    runner.data[OUTBOX_PENDING] = true;
    return envelope;
  }

  /** Wakes the relay now instead of at its next poll (harmless when nothing is waiting). */
  notify(): void {
    this.options.relay?.notify();
  }
}
