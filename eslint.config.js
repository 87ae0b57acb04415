// @ts-check
/**
 * `npm run lint`: typescript-eslint's recommended type-aware rules over the TypeScript of the service,
 * its tests and benchmarks; formatting is Prettier's alone (`prettier --check`), so no stylistic rules here.
 */
const eslint = require('@eslint/js');
const tseslint = require('typescript-eslint');
const prettier = require('eslint-config-prettier');
const globals = require('globals');

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'deploy/pulumi/node_modules/**', 'deploy/pulumi/bin/**', 'data/**', '.tmp/**', 'bench/results/**', 'coverage/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Unused arguments named _x are deliberate (interface shapes); anything else unused is a mistake.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Nest's empty decorated module classes are the framework's idiom.
      '@typescript-eslint/no-extraneous-class': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // The operator console: a browser SPA (React, TSX), its own tsconfig; Node globals only in its Vite configs.
    files: ['console/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser }, parserOptions: { ecmaFeatures: { jsx: true } } },
  },
  {
    files: ['console/vite.config.mts', 'console/vitest.config.mts'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', '**/*.spec.ts', 'console/**/*.test.{ts,tsx}'],
    rules: {
      // Tests build hostile and partial inputs on purpose.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  prettier,
);
