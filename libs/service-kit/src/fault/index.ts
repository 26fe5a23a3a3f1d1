// @ordermesh/service-kit/fault: fault injection for the test profile (ordermesh.testing.v1.FaultService),
// a secondary entry point so that production code does not carry it.
export * from './enabled';
export * from './fault-rules';
export * from './fault.module';
