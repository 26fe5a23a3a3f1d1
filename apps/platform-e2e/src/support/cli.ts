// Global set-up and teardown run without jest's module mapping (no @ordermesh/* aliases): what
// they need of @ordermesh/testing, taken by its path, in this one place.
/* eslint-disable @nx/enforce-module-boundaries */
export { leakKinds } from '../../../../libs/testing/src/leaks';
export { E2E_PROFILE, ordermeshSync } from '../../../../libs/testing/src/platform';
