/**
 * One suite: unit specs beside the code (src/**\/*.spec.ts), integration tests under test/, and the Pulumi
 * program's tests (deploy/pulumi/test, resolving @pulumi/* from deploy/pulumi's own node_modules).
 * Type checking is `npm run build` / `npm run typecheck`; jest only transpiles (tsconfig.jest.json).
 */
module.exports = {
  testEnvironment: 'node',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.test.ts', '<rootDir>/deploy/pulumi/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  // Tests and benchmarks write scratch files there while jest crawls.
  modulePathIgnorePatterns: ['<rootDir>/.tmp/', '<rootDir>/dist/', '<rootDir>/bench/results/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json', diagnostics: false }],
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  maxWorkers: 2,
  testTimeout: 60_000,
  verbose: false,
};
