// @ordermesh/messaging: Kafka (kafkajs) for the services: transactional outbox and relay,
// idempotent consumers with retries and dead-lettering, and their NestJS modules.
export * from './connection';
export * from './consumer/dead-letter';
export * from './consumer/event-consumer';
export * from './consumer/lag';
export * from './consumer/record-processor';
export * from './consumer/types';
export * from './headers';
export * from './kafka';
export * from './kafka.module';
export * from './logger';
export * from './metrics';
export * from './outbox/entities';
export * from './outbox/migrations';
export * from './outbox/outbox';
export * from './outbox/outbox.module';
export * from './outbox/process-once';
export * from './outbox/relay';
export * from './publisher';
export * from './topics';
export * from './tracing';
