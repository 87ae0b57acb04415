'use strict';
/**
 * The test certificate authority of the HTTPS peers (Key Vault, Microsoft Entra ID). Plain CommonJS so that
 * scripts/test.js can create it before jest starts: Node reads NODE_EXTRA_CA_CERTS once, at process start,
 * so the file must exist by then. Generated with the openssl CLI into a fixed, git-ignored path and reused.
 *
 *   node test/support/key-vault-peer/test-ca.js   # creates it if needed, prints the CA path
 */
const { execFileSync } = require('node:child_process');
const { X509Certificate, randomBytes } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');

const TEST_CA_DIR = resolve(__dirname, '..', '..', '..', '.tmp', 'test-ca');
const TEST_CA_CERT_PATH = join(TEST_CA_DIR, 'ca.pem');
const SERVER_KEY_PATH = join(TEST_CA_DIR, 'server-key.pem');
const SERVER_CERT_PATH = join(TEST_CA_DIR, 'server.pem');
const VALIDITY_DAYS = 3650;
const RENEW_BEFORE_MS = 30 * 86_400_000;

function isCurrent() {
  if (!existsSync(TEST_CA_CERT_PATH) || !existsSync(SERVER_KEY_PATH) || !existsSync(SERVER_CERT_PATH)) return false;
  const expiries = [TEST_CA_CERT_PATH, SERVER_CERT_PATH].map((path) => Date.parse(new X509Certificate(readFileSync(path)).validTo));
  return Math.min(...expiries) - Date.now() > RENEW_BEFORE_MS;
}

function generate(directory) {
  const openssl = (...args) => execFileSync('openssl', args, { cwd: directory, stdio: ['ignore', 'ignore', 'pipe'] });
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ecKey,
    '-keyout',
    'ca-key.pem',
    '-out',
    'ca.pem',
    '-days',
    String(VALIDITY_DAYS),
    '-subj',
    '/CN=Integration Platform Test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  openssl('req', ...ecKey, '-keyout', 'server-key.pem', '-out', 'server.csr', '-subj', '/CN=localhost');
  writeFileSync(
    join(directory, 'server.ext'),
    'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca-key.pem',
    '-set_serial',
    `0x${randomBytes(8).toString('hex')}`,
    '-days',
    String(VALIDITY_DAYS - 1),
    '-extfile',
    'server.ext',
    '-out',
    'server.pem',
  );
}

/** Creates the CA and a server certificate for 127.0.0.1 / ::1 / localhost unless current ones exist. */
function ensureTestCa() {
  if (!isCurrent()) {
    mkdirSync(dirname(TEST_CA_DIR), { recursive: true });
    // Built aside and renamed into place whole, so concurrent callers never see half a CA.
    const staging = `${TEST_CA_DIR}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    mkdirSync(staging, { mode: 0o700 });
    try {
      generate(staging);
      if (existsSync(TEST_CA_DIR) && !isCurrent()) rmSync(TEST_CA_DIR, { recursive: true, force: true });
      try {
        renameSync(staging, TEST_CA_DIR);
      } catch (error) {
        if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
      }
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  return { caCertPath: TEST_CA_CERT_PATH, serverKeyPath: SERVER_KEY_PATH, serverCertPath: SERVER_CERT_PATH };
}

module.exports = { TEST_CA_CERT_PATH, ensureTestCa };

if (require.main === module) {
  ensureTestCa();
  process.stdout.write(`${TEST_CA_CERT_PATH}\n`);
}
