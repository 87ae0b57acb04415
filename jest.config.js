/**
 * Two projects, one suite (`npm test` runs both):
 * - `unit`: specs beside the code (src/**\/*.spec.ts). Pure: no database, no server, no build, so
 *   `npm run test:unit` answers in seconds.
 * - `integration`: tests under test/ and the Pulumi program's tests (deploy/pulumi/test, resolving
 *   @pulumi/* from deploy/pulumi's own node_modules). Its global setup type-checks, builds dist/ (some
 *   tests run the real `node dist/main.js`) and checks that PostgreSQL is reachable.
 * Jest only transpiles (tsconfig.jest.json); type checking is `npm run typecheck` and the integration setup.
 */
const shared = {
  testEnvironment: 'node',
  rootDir: __dirname,
  testPathIgnorePatterns: ['/node_modules/'],
  // Tests and benchmarks write scratch files there while jest crawls.
  modulePathIgnorePatterns: ['<rootDir>/.tmp/', '<rootDir>/dist/', '<rootDir>/bench/results/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json', diagnostics: false }],
  },
};

module.exports = {
  maxWorkers: 2,
  testTimeout: 60_000,
  verbose: false,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/deploy/pulumi/test/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
    },
  ],
};
