// Shared by the scripts that generate committed files (config-docs, emulator-config): the same flags, the
// same failure output, the same first-difference report when a committed copy is stale.

/** Prints `<tool>: <message>` and exits 1. */
function failer(tool) {
  return (message) => {
    process.stderr.write(`${tool}: ${message}\n`);
    process.exit(1);
  };
}

/** `--write` regenerates, `--check` fails when stale, neither prints the generated text. */
function parseMode(args, fail) {
  const unknown = args.filter((arg) => arg !== '--write' && arg !== '--check');
  if (unknown.length > 0) fail(`unknown argument(s): ${unknown.join(' ')} (expected --write or --check)`);
  const write = args.includes('--write');
  const check = args.includes('--check');
  if (write && check) fail('use either --write or --check, not both.');
  return write ? 'write' : check ? 'check' : 'print';
}

/** The first line where `actual` departs from `expected`, or undefined when they are equal. */
function firstDifference(expected, actual, endLabel = '(end of file)') {
  const want = expected.split('\n');
  const have = actual.split('\n');
  for (let line = 0; line < Math.max(want.length, have.length); line += 1) {
    if (want[line] !== have[line]) return { line: line + 1, expected: want[line] ?? endLabel, actual: have[line] ?? endLabel };
  }
  return undefined;
}

module.exports = { failer, parseMode, firstDifference };
