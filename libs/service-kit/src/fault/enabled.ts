import { env } from '../config/env';

const flag = env.flag(false);

/**
 * Whether this process serves ordermesh.testing.v1.FaultService and applies its faults:
 * FAULT_INJECTION=enabled, which the local platform sets in the test profile only.
 */
export function faultInjectionEnabled(environment: NodeJS.ProcessEnv = process.env): boolean {
  const parsed = flag.safeParse(environment['FAULT_INJECTION']);
  return parsed.success && parsed.data;
}
