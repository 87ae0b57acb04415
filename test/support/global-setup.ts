import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { ensureTestCa, TEST_CA_CERT_PATH } from './key-vault-peer/test-ca';
import { TEST_DATABASE_URL } from './postgres';

/**
 * Type-checks everything (jest itself only transpiles), builds dist/ (process-level tests run the real
 * `node dist/main.js`), and checks that the PostgreSQL the integration tests need is reachable.
 */
export default async function globalSetup(): Promise<void> {
  const root = join(__dirname, '..', '..');
  // Workers inherit this; a single-process run needs it from `npm test` (scripts/test.js).
  ensureTestCa();
  process.env.NODE_EXTRA_CA_CERTS ??= TEST_CA_CERT_PATH;
  const tsc = (project: string, ...flags: string[]) =>
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project, ...flags], { cwd: root, stdio: 'inherit' });
  // A focused run (`TEST_SKIP_BUILD=1 npx jest path`) may skip this when dist/ is already current.
  if (process.env.TEST_SKIP_BUILD !== '1') {
    tsc('tsconfig.json', '--noEmit');
    tsc('tsconfig.build.json');
    writeFileSync(join(root, 'dist', '.build-stamp'), new Date().toISOString());
  }

  const client = new Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(`PostgreSQL is required by the integration tests at ${TEST_DATABASE_URL} (set TEST_DATABASE_URL): ${String(error)}`, { cause: error });
  } finally {
    await client.end().catch(() => undefined);
  }
}
