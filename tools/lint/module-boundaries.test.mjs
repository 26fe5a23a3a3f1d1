// Proves the Nx module-boundary rule is really enforced: an app importing another app, or a
// production app importing the test-only lib, fails lint. (Without a project graph the rule
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

test('a shared lib may not import an app', async () => {
  const code =
    "import { envSchema } from '../../../apps/order/src/config/env.schema';\nexport const e = envSchema;\n";
  const errors = await boundaryErrors('libs/service-kit/src/boundary-probe.ts', code);
  assert.ok(errors.length > 0, 'importing an app from a lib must be an error');
});
