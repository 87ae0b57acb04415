#!/usr/bin/env node
// `npm test`: installs if needed, builds the console, runs the console's component tests (vitest), then the
// whole jest suite (unit specs and the integration tests, which need PostgreSQL at 127.0.0.1:5432, database
// `test`; see README); fails if either fails. Extra arguments go to jest (and skip vitest unless CONSOLE_TESTS=1).
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
const { ensureConsoleBuilt, ensureDeployToolsInstalled, ensureInstalled, root } = require('./ensure');

ensureInstalled();
ensureDeployToolsInstalled();
// The Key Vault test peer serves HTTPS with a test CA; Node reads NODE_EXTRA_CA_CERTS only at start-up.
const { ensureTestCa, TEST_CA_CERT_PATH } = require('../test/support/key-vault-peer/test-ca.js');
ensureTestCa();
ensureConsoleBuilt();

// A run narrowed by jest arguments (a file, --selectProjects) is about the service: the console's tests run with the whole suite.
const jestArguments = process.argv.slice(2);
let consoleFailed = false;
if (jestArguments.length === 0 || process.env.CONSOLE_TESTS === '1') {
  const vitest = spawnSync(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', 'console/vitest.config.mts'], { cwd: root, stdio: 'inherit' });
  consoleFailed = vitest.status !== 0;
  if (consoleFailed) process.stderr.write('The console tests (vitest) failed; running the jest suite anyway.\n');
}
const result = spawnSync(process.execPath, [join(root, 'node_modules', 'jest', 'bin', 'jest.js'), ...jestArguments], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NODE_EXTRA_CA_CERTS: TEST_CA_CERT_PATH },
});
process.exit(consoleFailed ? 1 : (result.status ?? 1));
