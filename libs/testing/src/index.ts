export * from './api-client';
export * from './platform';
export * from './wait';
