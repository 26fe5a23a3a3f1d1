// Integration and end-to-end tests against a real local platform (test profile): real Kafka,
// PostgreSQL, FerretDB, Redis, Jaeger and Prometheus, every service as its own process.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'platform-e2e',
  rootDir: __dirname,
  // Every suite, the short chaos experiments (CHAOS_MODE=short) and the graceful-shutdown check
  // included; `make chaos` runs the full chaos suite with jest.chaos.config.js.
  testMatch: ['<rootDir>/src/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/src/support/global-setup.ts',
  globalTeardown: '<rootDir>/src/support/global-teardown.ts',
  setupFiles: ['<rootDir>/src/support/connection-env.ts'],
  testSequencer: '<rootDir>/src/support/sequencer.js',
  testTimeout: 120_000,
  // Suites share one platform and two cores: run them one at a time.
  maxWorkers: 1,
};
