// Runs the suites in a fixed order: light, latency-sensitive checks (traces, logs, the slice)
// first on a fresh platform; heavy suites (bursts of orders, restarts, bundles, chaos) last, so
// one suite's deliberate faults or load never bleed into another's assertions.
const Sequencer = require('@jest/test-sequencer').default;

const ORDER = [
  'slice/',
  'observability/',
  'kafka/cross-service',
  'gateway/',
  'infra/',
  'kafka/',
  'messaging/',
  'inventory/',
  'pricing/',
  'payment/',
  'shipping/',
  'notification/',
  'order/order-saga',
  'order/',
  // The browser suite stops inventory for a moment (the degraded product page).
  'storefront/',
  'resilience/',
  'delivery/',
  // Three inventory replicas under load, one killed; back to one replica at the end.
  'scaling/',
  // The capacity benchmark's smoke run (tiny load): proves `make bench` runs end to end.
  'bench/',
  'chaos/',
];

const rank = (path) => {
  const index = ORDER.findIndex((part) => path.includes(`/src/${part}`));
  return index === -1 ? ORDER.length : index;
};

class PlatformSequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path));
  }
}

module.exports = PlatformSequencer;
