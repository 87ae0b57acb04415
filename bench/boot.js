#!/usr/bin/env node
// `npm run bench -- boot [--runs N]`: cold start to ready and RSS of every role and of `all`, beside a bare
// NestJS app with one route (bench/fixtures/bare-app.js). Each subject boots once in a fresh DATA_DIR of its
// own (the first boot, which applies the SQLite migrations), then N more times in that same DATA_DIR (warm
// boots, the main numbers). Boots run one at a time so they don't compete for CPU, and the warm boots go
// round-robin over the subjects so slow drift in machine speed spreads over all of them, baseline included.
// Reads /proc: Linux only.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

const ROOT = path.join(__dirname, '..');
const RESULTS_DIR = path.join(__dirname, 'results');
const GOALS = { readyMs: 1500, rssMb: 150, timesBare: 2 };
const BOOT_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;
const POLL_INTERVAL_MS = 10;
const SETTLE_MS = 500;
const TAIL_LINES = 20;

// Cleaned up on exit, however the benchmark ends.
const running = new Set();
const tempDirs = new Set();

function parseArgs(argv) {
  let runs = 3;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    if (flag !== '--runs') usage(`Unknown argument "${argv[i]}"`);
    const value = inline ?? argv[++i];
    runs = Number(value);
    if (!Number.isInteger(runs) || runs < 1) usage(`--runs needs a positive integer, got "${value}"`);
  }
  return { runs };
}

function usage(problem) {
  process.stderr.write(`${problem}\nUsage: npm run bench -- boot [--runs N]   (N warm boots per subject, default 3)\n`);
  process.exit(2);
}

function loadSubjects() {
  const { ROLES } = require(path.join(ROOT, 'dist', 'roles'));
  const platform = (role) => ({
    name: role,
    script: 'dist/main.js',
    listening: 'Integration platform listening on',
    env: { APP_ROLE: role, LOG_LEVEL: 'info', NODE_ENV: 'development' },
  });
  return {
    bare: { name: 'bare NestJS app', script: 'bench/fixtures/bare-app.js', listening: 'Bare NestJS app listening on', env: {} },
    roles: ROLES.map((role) => platform(role.name)),
    all: platform('all'),
  };
}

// --- one boot ---------------------------------------------------------------------------------------

/**
 * Spawns the subject, waits for its first 200 from /health/ready, samples RSS right then and, unless
 * settleMs is 0, again settleMs later; then stops it with SIGTERM.
 */
async function bootOnce(subject, dataDir, settleMs) {
  const tails = { stdout: [], stderr: [] };
  const started = process.hrtime.bigint();
  const elapsedMs = () => Number(process.hrtime.bigint() - started) / 1e6;
  const child = spawn(process.execPath, [path.resolve(ROOT, subject.script)], {
    cwd: ROOT,
    // Only what Node needs plus the subject's own settings: a DATABASE_URL or similar in the caller's shell
    // must not change what is measured.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', DATA_DIR: dataDir, ...subject.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  // 'close' rather than 'exit': it comes after stdout/stderr are drained, so the tails are complete.
  const closed = new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  closed.then(() => running.delete(child));

  let listeningMs;
  const port = new Promise((resolve) => {
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      remember(tails.stdout, line);
      const entry = parseJson(line);
      if (listeningMs === undefined && typeof entry?.msg === 'string' && entry.msg.startsWith(subject.listening) && Number.isInteger(entry.port)) {
        listeningMs = elapsedMs();
        resolve(entry.port);
      }
    });
  });
  readline.createInterface({ input: child.stderr }).on('line', (line) => remember(tails.stderr, line));

  const polling = { stopped: false };
  const timeout = timer(BOOT_TIMEOUT_MS);
  const outcome = await Promise.race([
    port.then((p) => pollReady(p, polling)).then(() => ({ readyMs: elapsedMs() })),
    closed.then((exit) => ({ failure: `exited before ready (${describeExit(exit)})` })),
    timeout.promise.then(() => ({ failure: `not ready within ${BOOT_TIMEOUT_MS / 1000} s` })),
  ]);
  polling.stopped = true;
  timeout.cancel();

  if (outcome.failure) {
    child.kill('SIGKILL');
    await closed;
    return { failure: outcome.failure, tail: tails.stderr.length > 0 ? tails.stderr : tails.stdout };
  }

  const rssReadyMb = readRssMb(child.pid);
  let rssSettledMb;
  if (settleMs > 0) {
    await sleep(settleMs);
    rssSettledMb = readRssMb(child.pid);
  }
  if (rssReadyMb === undefined || (settleMs > 0 && rssSettledMb === undefined)) {
    await closed;
    return { failure: 'exited right after ready', tail: tails.stderr.length > 0 ? tails.stderr : tails.stdout };
  }

  const stopping = process.hrtime.bigint();
  child.kill('SIGTERM');
  const stopTimeout = timer(STOP_TIMEOUT_MS);
  const stopped = await Promise.race([closed, stopTimeout.promise.then(() => undefined)]);
  stopTimeout.cancel();
  if (!stopped) child.kill('SIGKILL');
  const exit = stopped ?? (await closed);

  return {
    readyMs: outcome.readyMs,
    listeningMs,
    rssReadyMb,
    rssSettledMb,
    stopMs: Number(process.hrtime.bigint() - stopping) / 1e6,
    exit: stopped ? describeExit(exit) : `killed: no exit within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM`,
  };
}

async function pollReady(port, polling) {
  while (!polling.stopped) {
    if ((await getStatus(port, '/health/ready')) === 200) return;
    await sleep(POLL_INTERVAL_MS);
  }
  return new Promise(() => {}); // the race was already decided elsewhere
}

function getStatus(port, urlPath) {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: urlPath, agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
    });
    request.on('error', () => resolve(undefined));
  });
}

/** VmRSS of a live process in MiB, or undefined when it is gone. */
function readRssMb(pid) {
  try {
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return kb ? Number(kb[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

// --- all subjects: a pass of first boots, then N passes of warm boots -------------------------------

async function measureAll(subjects, runs) {
  const states = subjects.map((subject) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-boot-'));
    tempDirs.add(dataDir);
    return { subject, dataDir, first: undefined, warm: [] };
  });
  const failed = (state) => state.first?.failure || state.warm.some((sample) => sample.failure);
  for (let pass = 0; pass <= runs; pass++) {
    const began = Date.now();
    for (const state of states) {
      // A failed subject sits out the later passes: they would most likely fail the same way, slowly.
      if (failed(state)) continue;
      // The first boot only contributes its ready time, so it skips the settle wait.
      const sample = await bootOnce(state.subject, state.dataDir, pass === 0 ? 0 : SETTLE_MS);
      if (pass === 0) state.first = sample;
      else state.warm.push(sample);
      if (sample.failure) reportFailure(state.subject, sample);
    }
    const label = pass === 0 ? 'first boots' : `warm boots ${pass}/${runs}`;
    process.stderr.write(`  ${label.padEnd(16)} ${((Date.now() - began) / 1000).toFixed(1)} s\n`);
  }
  return states.map((state) => summarize(state.subject, state.first, state.warm));
}

function summarize(subject, first, warm) {
  const failed = [first, ...warm].find((sample) => sample.failure);
  const ok = warm.filter((sample) => !sample.failure);
  return {
    name: subject.name,
    failure: failed?.failure,
    tail: failed?.tail,
    first: failed === first ? undefined : { readyMs: first.readyMs, rssReadyMb: first.rssReadyMb },
    readyMs: ok.length > 0 ? { median: median(ok.map((s) => s.readyMs)), max: Math.max(...ok.map((s) => s.readyMs)) } : undefined,
    rssMb: ok.length > 0 ? { ready: median(ok.map((s) => s.rssReadyMb)), settled: median(ok.map((s) => s.rssSettledMb)) } : undefined,
    samples: { first, warm },
  };
}

function reportFailure(subject, sample) {
  process.stderr.write(`  ${subject.name}: FAIL, ${sample.failure}\n`);
  if (sample.tail.length > 0) process.stderr.write(`${sample.tail.map((line) => `      | ${line}`).join('\n')}\n`);
}

// --- verdicts and report ----------------------------------------------------------------------------

/** Goals apply to single roles; `all` and the bare app are shown for reference, failing only if they crash. */
function judge(result, bare, judged) {
  if (result.failure) return { verdict: 'FAIL', reasons: [result.failure] };
  const times = bare?.readyMs ? { ready: result.readyMs.median / bare.readyMs.median, rss: result.rssMb.settled / bare.rssMb.settled } : undefined;
  if (!judged) return { verdict: result === bare ? 'baseline' : 'info', reasons: [], times };
  const reasons = [];
  if (result.readyMs.median >= GOALS.readyMs) reasons.push(`ready ≥ ${GOALS.readyMs} ms`);
  if (result.rssMb.settled >= GOALS.rssMb) reasons.push(`RSS ≥ ${GOALS.rssMb} MB`);
  if (!times) reasons.push('no bare baseline to compare with');
  else {
    if (times.ready > GOALS.timesBare) reasons.push(`ready > ${GOALS.timesBare}x bare`);
    if (times.rss > GOALS.timesBare) reasons.push(`RSS > ${GOALS.timesBare}x bare`);
  }
  return { verdict: reasons.length > 0 ? 'FAIL' : 'PASS', reasons, times };
}

function printReport({ machine, runs, rows, totalMs }) {
  const header = ['role', 'first ms', 'ready ms med / max', 'RSS MB ready / settled', 'x bare ready', 'x bare RSS', 'result'];
  const cells = rows.map(({ result, verdict, reasons, times }) => [
    result.name,
    result.first ? ms(result.first.readyMs) : '-',
    result.readyMs ? `${ms(result.readyMs.median)} / ${ms(result.readyMs.max)}` : '-',
    result.rssMb ? `${mb(result.rssMb.ready)} / ${mb(result.rssMb.settled)}` : '-',
    times ? times.ready.toFixed(2) : '-',
    times ? times.rss.toFixed(2) : '-',
    reasons.length > 0 ? `${verdict}: ${reasons.join(', ')}` : verdict,
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((row) => row[i].length)));
  const numeric = new Set([1, 2, 3, 4, 5]);
  const format = (row) =>
    row
      .map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();

  const out = [
    '',
    `Machine: ${machine.cpu}, ${machine.cpus} CPUs, Node ${machine.node}, ${machine.platform}`,
    `Runs: first boot (fresh DATA_DIR, migrations) + ${runs} warm boots (same DATA_DIR) per subject, one at a time`,
    '',
    format(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map(format),
    '',
    'first   = spawn to first 200 of GET /health/ready on the first boot in a fresh DATA_DIR (one sample)',
    `ready   = the same on the warm boots; RSS = VmRSS median of the warm boots, at ready and ${SETTLE_MS} ms later`,
    `goals   = single roles: median ready < ${GOALS.readyMs} ms, settled RSS < ${GOALS.rssMb} MB, both within ${GOALS.timesBare}x the bare app`,
    '          (ratios use median ready and settled RSS; `all` is reported, not judged)',
    `Total time: ${(totalMs / 1000).toFixed(1)} s`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

function writeResults(report) {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `boot-${report.startedAt.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

// --- helpers ----------------------------------------------------------------------------------------

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const ms = (value) => String(Math.round(value));
const mb = (value) => value.toFixed(1);

function remember(lines, line) {
  lines.push(line);
  if (lines.length > TAIL_LINES) lines.shift();
}

function parseJson(line) {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function describeExit({ code, signal }) {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

function sleep(duration) {
  return new Promise((resolve) => setTimeout(resolve, duration));
}

function timer(duration) {
  let handle;
  const promise = new Promise((resolve) => {
    handle = setTimeout(resolve, duration);
  });
  return { promise, cancel: () => clearTimeout(handle) };
}

function cleanUp() {
  for (const child of running) child.kill('SIGKILL');
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
}

// --- main -------------------------------------------------------------------------------------------

async function main() {
  const { runs } = parseArgs(process.argv.slice(2));
  const startedAt = new Date().toISOString();
  const began = process.hrtime.bigint();
  const { bare, roles, all } = loadSubjects();
  const machine = { cpu: os.cpus()[0]?.model ?? 'unknown', cpus: os.cpus().length, node: process.version, platform: `${process.platform} ${process.arch}` };

  process.stderr.write(`Booting the bare app, ${roles.length} roles and \`all\`: 1 + ${runs} boots each...\n`);
  const [bareResult, ...rest] = await measureAll([bare, ...roles, all], runs);
  const roleResults = rest.slice(0, -1);
  const allResult = rest.at(-1);

  const baseline = bareResult.failure ? undefined : bareResult;
  const rows = [
    { result: bareResult, ...judge(bareResult, baseline, false) },
    ...roleResults.map((result) => ({ result, ...judge(result, baseline, true) })),
    { result: allResult, ...judge(allResult, baseline, false) },
  ];
  const totalMs = Number(process.hrtime.bigint() - began) / 1e6;
  printReport({ machine, runs, rows, totalMs });

  const file = writeResults({
    startedAt,
    machine,
    runs,
    goals: GOALS,
    rssUnit: 'MiB (VmRSS kB / 1024)',
    totalMs,
    results: rows.map(({ result, verdict, reasons, times }) => ({ ...result, verdict, reasons, timesBare: times })),
  });
  process.stdout.write(`Results: ${path.relative(ROOT, file)}\n`);
  process.exitCode = rows.some((row) => row.verdict === 'FAIL') ? 1 : 0;
}

process.on('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => process.exit(128 + os.constants.signals[signal]));
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
