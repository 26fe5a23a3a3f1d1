export * from './backoff';
export * from './breaker';
export * from './deadline';
export * from './retry';
export * from './retry-budget';
export * from './infrastructure-errors';
export * from './grpc-failures';
export * from './polling-loop';
