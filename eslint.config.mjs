import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.ordermesh/**',
      '.nx/**',
      'coverage/**',
      'results/**',
      'libs/contracts/src/generated/**',
      'charts/ordermesh/files/**',
    ],
  },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // Apps are thin: they import shared libs only, never another app or test helpers.
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib', 'type:testing'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib', 'type:testing'] },
            // Libraries in layers, each built on the ones below (docs/conventions.md):
            // core (contracts, resilience, observability) → infra (persistence, messaging) →
            // kit (service-kit) → apps.
            { sourceTag: 'layer:core', onlyDependOnLibsWithTags: ['layer:core'] },
            { sourceTag: 'layer:infra', onlyDependOnLibsWithTags: ['layer:core', 'layer:infra'] },
            {
              sourceTag: 'layer:kit',
              onlyDependOnLibsWithTags: ['layer:core', 'layer:infra', 'layer:kit'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': 'off',
      // With noUncheckedIndexedAccess, `x[0]!` after a length check is the idiom; the compiler
      // already makes every other unchecked access visible.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // SWC emits decorator metadata (which Nest and class-validator read) only from explicit
      // annotations, so `pageSize: number = 20` on a DTO is not redundant.
      '@typescript-eslint/no-inferrable-types': 'off',
      'no-console': 'error',
    },
  },
  {
    // Test-only code has its own entry points: production code of an app never imports them.
    files: ['apps/*/src/**/*.ts'],
    ignores: ['apps/platform-e2e/**', 'apps/*-e2e/**', '**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@ordermesh/service-kit/fault',
              message: 'fault injection is test code: the kit loads it in the test profile only',
            },
          ],
          patterns: [
            {
              group: ['**/test-controls/*'],
              message:
                "the payment provider's test controls are test code: payments.module.ts requires them in the test profile only",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['tools/**/*.{ts,mjs,js}', '**/*.spec.ts', '**/*.e2e-spec.ts', '**/jest.config.js'],
    rules: { 'no-console': 'off' },
  },
  prettier,
);
