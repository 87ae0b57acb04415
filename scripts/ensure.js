// Makes `npm start`, `npm run token` and `npm test` work on a fresh clone: install when node_modules is missing
// or older than the lockfile, build when dist is missing or older than any source file (the service's and the console's).
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, statSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = join(__dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function mtime(path) {
  return existsSync(path) ? statSync(path).mtimeMs : 0;
}

function newestIn(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestIn(path) : mtime(path));
  }
  return newest;
}

/** `npm ci` in `dir` unless its node_modules is at least as new as its lockfile. */
function installIn(dir) {
  const marker = join(dir, 'node_modules', '.package-lock.json');
  if (mtime(marker) >= mtime(join(dir, 'package-lock.json'))) return;
  process.stderr.write(`Installing dependencies in ${relative(root, dir) || '.'} (npm ci)...\n`);
  execFileSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: ['ignore', 2, 2] });
}

function ensureInstalled() {
  installIn(root);
}

/** The Pulumi program keeps its own package (@pulumi/azure-native alone is about 136 MB): only the test suite needs it. */
function ensureDeployToolsInstalled() {
  installIn(join(root, 'deploy', 'pulumi'));
}

function ensureBuilt() {
  // tsc --incremental leaves unchanged outputs alone, so a stamp of our own marks the last build.
  const stamp = join(root, 'dist', '.build-stamp');
  const sources = Math.max(newestIn(join(root, 'src')), mtime(join(root, 'tsconfig.json')), mtime(join(root, 'tsconfig.build.json')));
  if (mtime(stamp) < sources) {
    process.stderr.write('Building (tsc -p tsconfig.build.json)...\n');
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
      cwd: root,
      stdio: ['ignore', 2, 2],
    });
    writeFileSync(stamp, new Date().toISOString());
  }
  ensureConsoleBuilt();
}

/** The operator console (console/, a Vite + React SPA) into dist/console, when its sources are newer than the last build. */
function ensureConsoleBuilt() {
  const dir = join(root, 'console');
  if (!existsSync(dir)) return;
  // Beside dist/console rather than in it: the platform serves every file in there.
  const stamp = join(root, 'dist', '.console-build-stamp');
  const sources = Math.max(newestIn(dir), mtime(join(root, 'package-lock.json')));
  if (mtime(stamp) >= sources) return;
  process.stderr.write('Building the console (vite build --config console/vite.config.mts)...\n');
  execFileSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'console/vite.config.mts', '--logLevel', 'warn'], {
    cwd: root,
    stdio: ['ignore', 2, 2],
  });
  writeFileSync(stamp, new Date().toISOString());
}

module.exports = { ensureInstalled, ensureDeployToolsInstalled, ensureBuilt, ensureConsoleBuilt, root };
