#!/usr/bin/env node
// `npm test`: installs if needed, then runs the whole jest suite (unit specs and the integration tests,
// which need PostgreSQL at 127.0.0.1:5432, database `test`; see README). Extra arguments go to jest.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
const { ensureDeployToolsInstalled, ensureInstalled, root } = require('./ensure');

ensureInstalled();
ensureDeployToolsInstalled();
// The Key Vault test peer serves HTTPS with a test CA; Node reads NODE_EXTRA_CA_CERTS only at start-up.
const { ensureTestCa, TEST_CA_CERT_PATH } = require('../test/support/key-vault-peer/test-ca.js');
ensureTestCa();
const result = spawnSync(process.execPath, [join(root, 'node_modules', 'jest', 'bin', 'jest.js'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NODE_EXTRA_CA_CERTS: TEST_CA_CERT_PATH },
});
process.exit(result.status ?? 1);
