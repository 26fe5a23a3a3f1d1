// Chart test project (Nx project `chart`): helm lint/template, schema validation, policy,
// upgrade-safety and call-graph consistency checks. Run: npx jest -c charts/ordermesh/tests/jest.config.ts
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// loaded by Node's native TypeScript support as an ES module
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const tsconfig = JSON.parse(readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'));
const moduleNameMapper: Record<string, string> = {};
for (const [alias, [target]] of Object.entries<string[]>(tsconfig.compilerOptions?.paths ?? {})) {
  moduleNameMapper[`^${alias.replace('*', '(.*)')}$`] = path.join(root, target!.replace('*', '$1'));
}

export default {
  displayName: 'chart',
  rootDir: here,
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
