export * from './api-client';
export * from './platform';
export * from './wait';
export * from './secrets-ledger';
export * from './leaks';
export * from './logs';
