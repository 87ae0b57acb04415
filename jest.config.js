/**
 * One suite: unit specs beside the code (src/**\/*.spec.ts) and integration tests under test/.
 * Type checking is `npm run build` / `npm run typecheck`; jest only transpiles (tsconfig.jest.json).
 */
module.exports = {
  testEnvironment: 'node',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json', diagnostics: false }],
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  maxWorkers: 2,
  testTimeout: 60_000,
  verbose: false,
};
