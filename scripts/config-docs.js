#!/usr/bin/env node
// Generates the configuration reference from the `*.Options` classes.
//   npm run config:docs                 print the Markdown to stdout
//   npm run config:docs -- --write      replace the section of README.md between the config markers
//   npm run config:docs -- --check      exit 1 when README.md's section is out of date
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { ensureBuilt, root } = require('./ensure');
const { failer, firstDifference, parseMode } = require('./generated-file');

const README = join(root, 'README.md');
const START = '<!-- config:start -->';
const END = '<!-- config:end -->';
const WRITE_HINT = 'Run `npm run config:docs -- --write` to regenerate it.';

const fail = failer('config-docs');

function optionClasses() {
  const { optionsOf } = require(join(root, 'dist', 'bootstrap.js'));
  const { ROLES } = require(join(root, 'dist', 'roles.js'));
  return [...new Set(optionsOf(ROLES))];
}

function cell(text) {
  return String(text).replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

function code(text) {
  return `\`${text}\``;
}

function defaultCell(binding) {
  if (binding.defaultText !== undefined) return binding.defaultText;
  if (binding.required) return '**required**';
  if (binding.default === undefined) return '—';
  const text = binding.codec.format ? binding.codec.format(binding.default) : String(binding.default);
  return text === '' ? '(empty)' : code(text);
}

function descriptionCell(binding) {
  return binding.secret ? `(secret) ${binding.description}` : binding.description;
}

function generate() {
  const { envBindings, sectionOf } = require(join(root, 'dist', 'platform', 'config', 'options.js'));
  const blocks = optionClasses().map((type) => {
    const { section, description } = sectionOf(type);
    const rows = envBindings(type).map((binding) => [code(binding.variable), binding.codec.type, defaultCell(binding), descriptionCell(binding)].map(cell));
    return [`### ${section}`, '', description, '', '| Variable | Type | Default | Description |', '| --- | --- | --- | --- |', ...rows.map((row) => `| ${row.join(' | ')} |`)].join(
      '\n',
    );
  });
  return `${blocks.join('\n\n')}\n`;
}

function readReadme() {
  if (!existsSync(README)) fail(`${README} not found.`);
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < 0 || end < start) {
    fail(`README.md must contain the markers ${START} and ${END} (in that order) around the configuration reference.`);
  }
  return { text, from: start + START.length, to: end };
}

function main(args) {
  const mode = parseMode(args, fail);
  const write = mode === 'write';
  const check = mode === 'check';

  ensureBuilt();
  const generated = generate();
  if (!write && !check) {
    process.stdout.write(generated);
    return;
  }

  const readme = readReadme();
  const current = readme.text.slice(readme.from, readme.to).replace(/\r\n/g, '\n').trim();
  const wanted = generated.trim();

  if (check) {
    const difference = firstDifference(wanted, current, '(end of section)');
    if (!difference) {
      process.stdout.write('README.md configuration reference is up to date.\n');
      return;
    }
    fail(
      [
        `README.md configuration reference is out of date (first difference at line ${difference.line} of the section):`,
        `  expected: ${difference.expected}`,
        `  found:    ${difference.actual}`,
        WRITE_HINT,
      ].join('\n'),
    );
  }

  if (current === wanted) {
    process.stdout.write('README.md configuration reference is already up to date.\n');
    return;
  }
  writeFileSync(README, `${readme.text.slice(0, readme.from)}\n${generated}${readme.text.slice(readme.to)}`);
  process.stdout.write('README.md configuration reference updated.\n');
}

main(process.argv.slice(2));
