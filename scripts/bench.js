#!/usr/bin/env node
// `npm run bench -- <name> [args]` runs bench/<name>.js; without a name it runs every bench/*.js in turn
// (arguments starting with `-` then go to each of them). Each benchmark runs in its own process.
const { spawnSync } = require('node:child_process');
const { readdirSync } = require('node:fs');
const { join } = require('node:path');
const { ensureBuilt, ensureInstalled, root } = require('./ensure');

const benchDir = join(root, 'bench');

function availableBenchmarks() {
  return readdirSync(benchDir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
    .map((entry) => entry.name.slice(0, -'.js'.length))
    .sort();
}

function runBenchmark(name, args) {
  const result = spawnSync(process.execPath, [join(benchDir, `${name}.js`), ...args], { cwd: root, stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

const argv = process.argv.slice(2);
const benchmarks = availableBenchmarks();
const named = argv.length > 0 && !argv[0].startsWith('-');

// Checked before ensureBuilt so a typo fails at once instead of after a rebuild.
if (named && !benchmarks.includes(argv[0])) {
  process.stderr.write(`Unknown benchmark "${argv[0]}". Available: ${benchmarks.join(', ')}\n`);
  process.exit(2);
}

ensureInstalled();
ensureBuilt();

if (named) {
  process.exit(runBenchmark(argv[0], argv.slice(1)));
}

process.stdout.write(`Benchmarks: ${benchmarks.join(', ')}\n`);
let worst = 0;
for (const name of benchmarks) {
  process.stdout.write(`\n=== ${name} ===\n`);
  worst = Math.max(worst, runBenchmark(name, argv));
}
process.exit(worst);
