// Chart test project (Nx project `chart`): helm lint/template, schema validation, policy,
// upgrade-safety and call-graph consistency checks. Run: npx jest -c charts/ordermesh/tests/jest.config.ts
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

// The workspace root (for the tsconfig path aliases): jest runs from inside the workspace.
let root = process.cwd();
while (!existsSync(path.join(root, 'tsconfig.base.json'))) {
  if (path.dirname(root) === root) throw new Error('tsconfig.base.json not found above the cwd');
  root = path.dirname(root);
}
const tsconfig = JSON.parse(readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'));
const moduleNameMapper: Record<string, string> = {};
for (const [alias, [target]] of Object.entries<string[]>(tsconfig.compilerOptions?.paths ?? {})) {
  moduleNameMapper[`^${alias.replace('*', '(.*)')}$`] = path.join(
    root,
    String(target).replace('*', '$1'),
  );
}

export default {
  displayName: 'chart',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        swcrc: false,
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          // the services' env schemas import @ordermesh/service-kit (NestJS decorators)
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  globalSetup: '<rootDir>/support/global-setup.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
};
