import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * `pulumi up` type-checks the program (ts-node), and the mocks accept any input name, so a misspelt
 * resource argument would only surface in a real deployment: tsc catches it here.
 */
it('the program and its tests type-check against the pinned @pulumi packages', () => {
  const root = join(__dirname, '..');
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.test.json')], {
    cwd: root,
    encoding: 'utf8',
  });
  expect({ status: tsc.status, output: `${tsc.stdout}${tsc.stderr}`.trim(), error: tsc.error?.message }).toEqual({ status: 0, output: '', error: undefined });
}, 120_000);
