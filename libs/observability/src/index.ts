export * from './metrics';
export * from './metrics.module';
export * from './logging.module';
export * from './request-id';
export * from './span-attributes';
export * from './suppress-tracing';
export * from './redaction';
export * from './telemetry-handle';
