import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

describe('documentation', () => {
  it("README's configuration table matches the options classes", () => {
    const result = spawnSync(process.execPath, [join(__dirname, '..', 'scripts', 'config-docs.js'), '--check'], { encoding: 'utf8' });
    expect(result.stderr + result.stdout).not.toMatch(/out of date|differs|not found/i);
    expect(result.status).toBe(0);
  });
});
