// The chart on a real Kubernetes cluster (`make test-cluster`): the Docker-free local cluster of
// tools/cluster (or any cluster KUBECONFIG names), the release installed from charts/ordermesh.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'cluster-e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/src/support/global-setup.ts',
  // The specs build on each other (install → journey → disruption → uninstall): file-name order.
  testSequencer: '<rootDir>/src/support/sequencer.js',
  testTimeout: 300_000,
  maxWorkers: 1,
};
