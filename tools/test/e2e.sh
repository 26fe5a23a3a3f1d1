#!/usr/bin/env bash
# Integration and e2e tests on a test-profile platform of their own (started and stopped by the
# run itself; set E2E_REUSE_PLATFORM=1 to use a platform that is already up).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec jest --ci -c apps/platform-e2e/jest.config.js "$@"
