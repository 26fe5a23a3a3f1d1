import type { IHeaders, Message } from 'kafkajs';
import type { InboundRecord } from './types';

export const DLQ_HEADERS = {
  reason: 'dlq-reason',
  originalTopic: 'dlq-original-topic',
  originalPartition: 'dlq-original-partition',
  originalOffset: 'dlq-original-offset',
  failedAt: 'dlq-failed-at',
  /** Several groups consume a topic; the one that gave up is the one to replay for. */
  consumerGroup: 'dlq-consumer-group',
} as const;

/** Keeps a header small; the full error is in the consumer's log. */
const MAX_REASON_LENGTH = 1_000;

export interface DeadLetterInfo {
  reason: string;
  group: string;
  failedAt: Date;
}

/**
 * The DLQ copy of a record: the original key and value bytes (a replay tool can re-publish them
 * unchanged), the original headers (event id, trace context) and where and why it failed.
 */
export function deadLetterMessage(record: InboundRecord, info: DeadLetterInfo): Message {
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(record.headers ?? {})) {
    // A record replayed from a DLQ and failing again describes its latest failure only.
    if (value !== undefined && !name.toLowerCase().startsWith('dlq-')) headers[name] = value;
  }
  const reason =
    info.reason.length > MAX_REASON_LENGTH
      ? `${info.reason.slice(0, MAX_REASON_LENGTH - 1)}…`
      : info.reason;
  headers[DLQ_HEADERS.reason] = reason;
  headers[DLQ_HEADERS.originalTopic] = record.topic;
  headers[DLQ_HEADERS.originalPartition] = String(record.partition);
  headers[DLQ_HEADERS.originalOffset] = record.offset;
  headers[DLQ_HEADERS.failedAt] = info.failedAt.toISOString();
  headers[DLQ_HEADERS.consumerGroup] = info.group;
  return { key: record.key, value: record.value, headers };
}
