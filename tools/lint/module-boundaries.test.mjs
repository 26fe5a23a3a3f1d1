// Proves the Nx module-boundary rule is really enforced: an app importing another app, a
// production app importing the test-only lib, or a library importing one of a higher layer fails
// lint. (Without a project graph the rule
// silently skips itself, so this also guards the graph step of `make lint`.)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const eslint = new ESLint({ cwd: root });

before(() => {
  execFileSync(path.join(root, 'node_modules/.bin/nx'), ['show', 'projects'], {
    cwd: root,
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    stdio: 'ignore',
  });
});

async function boundaryErrors(file, code) {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages
    .filter((m) => m.ruleId === '@nx/enforce-module-boundaries')
    .map((m) => m.message);
}

test('an app may import shared libs', async () => {
  const code = "import { parseEnv } from '@ordermesh/service-kit';\nexport const f = parseEnv;\n";
  assert.deepEqual(await boundaryErrors('apps/gateway/src/boundary-probe.ts', code), []);
});

test('an app may not import another app', async () => {
  const code =
    "import { AppModule } from '../../user/src/app.module';\nexport const m = AppModule;\n";
  const errors = await boundaryErrors('apps/gateway/src/boundary-probe.ts', code);
  assert.ok(errors.length > 0, 'importing apps/user from apps/gateway must be an error');
});

test('production code may not import the test-only lib', async () => {
  const code = "import { waitFor } from '@ordermesh/testing';\nexport const w = waitFor;\n";
  const errors = await boundaryErrors('apps/order/src/boundary-probe.ts', code);
  assert.ok(errors.length > 0, 'importing @ordermesh/testing from an app must be an error');
});

test('production code may not import the fault-injection entry point', async () => {
  const code =
    "import { FaultModule } from '@ordermesh/service-kit/fault';\nexport const m = FaultModule;\n";
  const [result] = await eslint.lintText(code, {
    filePath: path.join(root, 'apps/payment/src/boundary-probe.ts'),
  });
  const errors = result.messages.filter((m) => m.ruleId === 'no-restricted-imports');
  assert.ok(
    errors.length > 0,
    'importing @ordermesh/service-kit/fault from an app must be an error',
  );
});

test('a shared lib may not import an app', async () => {
  const code =
    "import { envSchema } from '../../../apps/order/src/config/env.schema';\nexport const e = envSchema;\n";
  const errors = await boundaryErrors('libs/service-kit/src/boundary-probe.ts', code);
  assert.ok(errors.length > 0, 'importing an app from a lib must be an error');
});

test('a lower layer may not import a higher one (core → infra → kit)', async () => {
  const kit = "import { parseEnv } from '@ordermesh/service-kit';\nexport const f = parseEnv;\n";
  const infra =
    "import { pgErrorCode } from '@ordermesh/persistence';\nexport const f = pgErrorCode;\n";
  for (const [file, code, what] of [
    ['libs/persistence/src/boundary-probe.ts', kit, 'infra importing the kit'],
    ['libs/messaging/src/boundary-probe.ts', kit, 'infra importing the kit'],
    ['libs/resilience/src/boundary-probe.ts', infra, 'core importing infra'],
    ['libs/observability/src/boundary-probe.ts', kit, 'core importing the kit'],
  ]) {
    const errors = await boundaryErrors(file, code);
    assert.ok(errors.length > 0, `${what} (${file}) must be an error`);
  }
});

test('a layer may import the layers below it', async () => {
  const core =
    "import { Readiness } from '@ordermesh/observability';\nexport const r = Readiness;\n";
  const infra =
    "import { pgErrorCode } from '@ordermesh/persistence';\nexport const f = pgErrorCode;\n";
  assert.deepEqual(await boundaryErrors('libs/persistence/src/boundary-probe.ts', core), []);
  assert.deepEqual(await boundaryErrors('libs/service-kit/src/boundary-probe.ts', infra), []);
});

test("production code may not import the payment provider's test controls", async () => {
  const code =
    "import { ControlledProvider } from './test-controls/controlled-provider';\nexport const p = ControlledProvider;\n";
  const [result] = await eslint.lintText(code, {
    filePath: path.join(root, 'apps/payment/src/payments/boundary-probe.ts'),
  });
  const errors = result.messages.filter((m) => m.ruleId === 'no-restricted-imports');
  assert.ok(errors.length > 0, 'a static import of test-controls/ must be an error');
});
