// `make chaos`: every chaos scenario in full (CHAOS_MODE=full: 8 orders/s, the catalogue's fault
// durations) plus the graceful-shutdown check, on a test-profile platform of its own, started and
// stopped by the same global set-up as the e2e suites (E2E_REUSE_PLATFORM=1 uses one that is up).
// CHAOS_MODE=short runs the short versions. Reports: results/chaos/.
const e2e = require('./jest.config.js');

module.exports = {
  ...e2e,
  displayName: 'chaos',
  testMatch: ['<rootDir>/src/chaos/**/*.e2e-spec.ts', '<rootDir>/src/resilience/**/*.e2e-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  setupFiles: [...e2e.setupFiles, '<rootDir>/src/chaos/full-mode.ts'],
  testTimeout: 1_200_000,
};
