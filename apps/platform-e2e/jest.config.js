// Integration and end-to-end tests against a real local platform (test profile): real Kafka,
// PostgreSQL, FerretDB, Redis, Jaeger and Prometheus, every service as its own process.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'platform-e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.e2e-spec.ts'],
  // The chaos and graceful-shutdown suites run with `make chaos` until their short versions are
  // proven stable enough for every `make test` (see the README's chaos section).
  testPathIgnorePatterns: ['/src/chaos/', '/src/resilience/'],
  globalSetup: '<rootDir>/src/support/global-setup.ts',
  globalTeardown: '<rootDir>/src/support/global-teardown.ts',
  setupFiles: ['<rootDir>/src/support/connection-env.ts'],
  testSequencer: '<rootDir>/src/support/sequencer.js',
  testTimeout: 120_000,
  // Suites share one platform and two cores: run them one at a time.
  maxWorkers: 1,
};
