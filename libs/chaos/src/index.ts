// The chaos engine: an open-loop load driver, the invariant checker, scenario reports. Used by the
// local platform's chaos suite (apps/platform-e2e) and the cluster suite (apps/cluster-e2e).
export * from './config';
export * from './invariants';
export * from './load-driver';
export * from './report';
export * from './samples';
export * from './world';
export * from './kafka-audit';
export * from './settle';
