#!/usr/bin/env node
// `npm run bench -- egress [--requests N] [--concurrency C] [--dialect sqlite|postgres] [--journal commit|background] [--profile]`: the cost of the
// governed pipeline (dist/platform/integrations/governed) against a raw baseline measured in the same run:
// undici `request` calls, on a keep-alive Agent, to the same local HTTP server.
//
// The server runs in a child process (node:http, keep-alive, a small JSON answer, as a vendor API would give).
// The platform runs in this process with APP_ROLE=VendorApiClientRegistryService on its embedded defaults
// (SQLite store, store-backed bus, in-process rate budgets) or on PostgreSQL (a fresh schema, dropped after).
// A generic-rest connection with a bearer credential is created through the public API, then every governed
// call is GovernedHttpClient.request(): connection resolution, request checks, an IntegrationRun row,
// credential injection, both rate budgets, the endpoint's breaker, the egress guard, the attempt recorded and
// IntegrationRunCompleted published on the bus. Budgets are set high enough never to refuse.
//
// Cases, each after WARMUP unmeasured calls, run in ROUNDS rounds of raw then governed (baseline = every raw
// run, governed = every governed run, so drift in machine speed hits both sides):
//   sequential  one call at a time: latency (p50/p99), the added latency is governed minus raw
//   concurrent  C calls in flight: throughput
// Goals (issue 4): p50 added latency under 1 ms, governed throughput at least 50 % of raw.
// `--profile`: a V8 CPU profile of the governed concurrent runs only (bench/results/egress-*.cpuprofile), and
// its self time by module printed.
const { fork } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const RESULTS_DIR = path.join(__dirname, 'results');
const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
const GOALS = { addedP50Ms: 1, throughputShare: 0.5 };
const WARMUP = 500;
const ROUNDS = 3;
const TENANT = 'bench-tenant';

// --- the vendor stand-in (child process) -------------------------------------------------------------------

if (process.argv[2] === '--server') {
  const body = JSON.stringify({ id: 'item_1', status: 'ok', items: [1, 2, 3] });
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      response.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('disconnect', () => process.exit(0));
  return;
}

// --- arguments -----------------------------------------------------------------------------------------------

function parseArgs(argv) {
  const settings = { requests: 5000, concurrency: 16, dialect: 'sqlite', journal: 'commit', profile: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--requests') settings.requests = positive(flag, value());
    else if (flag === '--concurrency') settings.concurrency = positive(flag, value());
    else if (flag === '--profile') settings.profile = true;
    else if (flag === '--dialect') {
      settings.dialect = value();
      if (!['sqlite', 'postgres'].includes(settings.dialect)) usage(`--dialect is sqlite or postgres, got "${settings.dialect}"`);
    } else if (flag === '--journal') {
      settings.journal = value();
      if (!['commit', 'background'].includes(settings.journal)) usage(`--journal is commit or background, got "${settings.journal}"`);
    } else usage(`Unknown argument "${argv[i]}"`);
  }
  return settings;
}

function positive(flag, raw) {
  const number = Number(raw);
  if (!Number.isInteger(number) || number < 1) usage(`${flag} needs a positive integer, got "${raw}"`);
  return number;
}

function usage(problem) {
  process.stderr.write(`${problem}\nUsage: npm run bench -- egress [--requests N] [--concurrency C] [--dialect sqlite|postgres] [--journal commit|background] [--profile]\n`);
  process.exit(2);
}

// --- measurement -------------------------------------------------------------------------------------------

function percentiles(values) {
  const sorted = Float64Array.from(values).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[sorted.length - 1] };
}

async function sequential(call, count) {
  for (let i = 0; i < WARMUP; i++) await call();
  const latencies = new Array(count);
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const begin = process.hrtime.bigint();
    await call();
    latencies[i] = Number(process.hrtime.bigint() - begin) / 1e6;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { latencies, perSecond: count / seconds, cpuUsPerCall: cpuMicros(process.cpuUsage(cpu)) / count };
}

async function concurrent(call, count, concurrency) {
  const warm = Array.from({ length: concurrency }, async (_, worker) => {
    for (let i = worker; i < WARMUP; i += concurrency) await call();
  });
  await Promise.all(warm);
  let next = 0;
  const latencies = [];
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        const begin = process.hrtime.bigint();
        await call();
        latencies.push(Number(process.hrtime.bigint() - begin) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { latencies, perSecond: count / seconds, cpuUsPerCall: cpuMicros(process.cpuUsage(cpu)) / count };
}

/** User plus system CPU time of this process (every thread), in microseconds. */
const cpuMicros = ({ user, system }) => user + system;

/** The in-process V8 profiler, switched on only around the calls to profile. */
async function cpuProfiler() {
  const { Session } = require('node:inspector');
  const session = new Session();
  session.connect();
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  const profiles = [];
  return {
    async during(work) {
      await post('Profiler.start');
      try {
        return await work();
      } finally {
        profiles.push((await post('Profiler.stop')).profile);
      }
    },
    profiles,
  };
}

/** Self time by module (a dist file, a package, node internals, or V8's own buckets) over every profile, largest first. */
function selfTimeByModule(profiles) {
  const totals = new Map();
  let samples = 0;
  for (const profile of profiles) {
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    for (const id of profile.samples) {
      const { url, functionName } = nodes.get(id).callFrame;
      const module = url.includes('/node_modules/')
        ? url.replace(/.*\/node_modules\/((@[^/]+\/)?[^/]+).*/, '$1')
        : url.includes('/dist/')
          ? url.replace(/.*\/dist\//, '')
          : url.startsWith('node:')
            ? 'node internals'
            : url === ''
              ? functionName.startsWith('(')
                ? functionName
                : 'native code'
              : path.basename(url);
      totals.set(module, (totals.get(module) ?? 0) + 1);
      samples += 1;
    }
  }
  return [...totals].sort((a, b) => b[1] - a[1]).map(([module, count]) => ({ module, share: count / samples }));
}

function memory() {
  const { rss, heapUsed } = process.memoryUsage();
  return { rssMb: rss / 1048576, heapMb: heapUsed / 1048576 };
}

// --- the platform ------------------------------------------------------------------------------------------

async function startPlatform(settings, vendorUrl) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-egress-'));
  const jwtSecret = randomBytes(32).toString('base64url');
  const schema = `bench_${randomBytes(4).toString('hex')}_egress`;
  Object.assign(process.env, {
    APP_ROLE: 'VendorApiClientRegistryService',
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    AUTH_JWT_SECRET: jwtSecret,
    EGRESS_ALLOW_LIST: '127.0.0.1',
    RATE_LIMIT_PROVIDER_RPS: '1000000',
    RATE_LIMIT_PROVIDER_BURST: '1000000',
    RUN_JOURNAL_MODE: settings.journal,
    ...(settings.dialect === 'postgres' ? { DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema } : {}),
  });
  const { createPlatformApp } = require(path.join(ROOT, 'dist', 'bootstrap'));
  const { resolveRoles } = require(path.join(ROOT, 'dist', 'roles'));
  const { GovernedHttpClient } = require(path.join(ROOT, 'dist', 'platform', 'integrations', 'governed', 'governed-http-client'));
  const { RequestContext } = require(path.join(ROOT, 'dist', 'platform', 'context', 'request-context'));
  const { continueTrace } = require(path.join(ROOT, 'dist', 'platform', 'observability', 'tracing'));
  const { app } = await createPlatformApp(resolveRoles(process.env.APP_ROLE), { logDestination: fs.createWriteStream(path.join(dataDir, 'platform.log')) });
  // Init hooks first: modules tune their consumers there, before the bus starts consuming.
  await app.init();
  await app.startAllMicroservices();
  await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${app.getHttpServer().address().port}`;

  const { SignJWT } = require('jose');
  const token = await new SignJWT({ tenantId: TENANT, scope: 'integration.credentials.write integration.connections.write integration.runs.execute' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(Buffer.from(jwtSecret, 'utf8'));
  const api = async (route, body) => {
    const response = await fetch(`${url}${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = await response.json();
    if (response.status >= 300) throw new Error(`${route} answered ${response.status}: ${JSON.stringify(answer)}`);
    return answer;
  };
  const credential = await api('/integrations/credentials', { name: 'bench', value: `bench-${randomBytes(16).toString('hex')}` });
  const connection = await api('/integrations/connections', {
    providerId: 'generic-rest',
    displayName: 'bench vendor',
    credentialId: credential.id,
    configuration: { baseUrl: vendorUrl, healthPath: '/health', auth: 'bearer' },
    rateLimitBudget: { requestsPerSecond: 100000, burst: 100000 },
  });
  if (connection.status !== 'Active') throw new Error(`The bench connection is ${connection.status}: ${JSON.stringify(connection.lastTest)}`);

  const governed = app.get(GovernedHttpClient);
  const request = { method: 'GET', path: '/api/echo' };
  const call = () =>
    // The scope an HTTP request or a bus message gives a vendor module: tenant and trace.
    RequestContext.run({ tenantId: TENANT, trace: continueTrace() }, async () => {
      const response = await governed.request(connection.id, request);
      if (response.status !== 200) throw new Error(`Governed call answered ${response.status}`);
    });
  return {
    call,
    async close() {
      await app.close();
      if (settings.dialect === 'postgres') {
        const { Client } = require('pg');
        const client = new Client({ connectionString: POSTGRES_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.end();
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// --- main --------------------------------------------------------------------------------------------------

async function main() {
  const settings = parseArgs(process.argv.slice(2));
  const server = fork(__filename, ['--server'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { port } = await new Promise((resolve, reject) => {
    server.once('message', resolve);
    server.once('exit', (code) => reject(new Error(`The vendor stand-in exited with ${code}`)));
  });
  const vendorUrl = `http://127.0.0.1:${port}`;

  const { Agent, request } = require('undici');
  const agent = new Agent({ connections: 64, keepAliveTimeout: 60_000 });
  const raw = async () => {
    const response = await request(`${vendorUrl}/api/echo`, { method: 'GET', dispatcher: agent, headers: { authorization: 'Bearer raw', accept: 'application/json' } });
    await response.body.arrayBuffer();
    if (response.statusCode !== 200) throw new Error(`Raw call answered ${response.statusCode}`);
  };

  const before = memory();
  const platform = await startPlatform(settings, vendorUrl);
  const afterBoot = memory();
  const runs = { raw: { sequential: [], concurrent: [] }, governed: { sequential: [], concurrent: [] } };
  let peakRssMb = afterBoot.rssMb;
  const profiler = settings.profile ? await cpuProfiler() : undefined;
  for (const subject of Array.from({ length: ROUNDS }, () => ['raw', 'governed']).flat()) {
    const call = subject === 'raw' ? raw : platform.call;
    const measureConcurrent = () => concurrent(call, settings.requests, settings.concurrency);
    runs[subject].sequential.push(await sequential(call, settings.requests));
    runs[subject].concurrent.push(await (profiler && subject === 'governed' ? profiler.during(measureConcurrent) : measureConcurrent()));
    peakRssMb = Math.max(peakRssMb, memory().rssMb);
  }
  const end = memory();
  await platform.close();
  await agent.close();
  server.disconnect();

  const mean = (list, field) => list.reduce((sum, run) => sum + run[field], 0) / list.length;
  const merge = (list) => ({ latencies: list.flatMap((run) => run.latencies), perSecond: mean(list, 'perSecond'), cpuUsPerCall: mean(list, 'cpuUsPerCall') });
  const result = {};
  for (const subject of ['raw', 'governed']) {
    const seq = merge(runs[subject].sequential);
    const con = merge(runs[subject].concurrent);
    result[subject] = {
      sequential: { perSecond: seq.perSecond, cpuUsPerCall: seq.cpuUsPerCall, ...percentiles(seq.latencies) },
      concurrent: { perSecond: con.perSecond, cpuUsPerCall: con.cpuUsPerCall, ...percentiles(con.latencies) },
    };
  }
  const addedP50 = result.governed.sequential.p50 - result.raw.sequential.p50;
  const addedP99 = result.governed.sequential.p99 - result.raw.sequential.p99;
  const share = result.governed.concurrent.perSecond / result.raw.concurrent.perSecond;
  const verdicts = { addedP50: addedP50 < GOALS.addedP50Ms, throughput: share >= GOALS.throughputShare };

  const ms = (value) => `${value.toFixed(3)} ms`;
  const lines = [
    `Governed egress pipeline vs raw undici — ${settings.dialect}, run journal ${settings.journal}, ${settings.requests} calls per run (x${ROUNDS}), concurrency ${settings.concurrency}, ${os.cpus().length} CPUs, Node ${process.version}`,
    '',
    'case                     calls/s    CPU/call    p50         p90         p99         max',
  ];
  for (const subject of ['raw', 'governed']) {
    for (const shape of ['sequential', 'concurrent']) {
      const row = result[subject][shape];
      lines.push(
        `${`${subject} ${shape}`.padEnd(22)} ${row.perSecond.toFixed(0).padStart(8)}    ${`${row.cpuUsPerCall.toFixed(0)} µs`.padEnd(11)} ${ms(row.p50).padEnd(11)} ${ms(row.p90).padEnd(11)} ${ms(row.p99).padEnd(11)} ${ms(row.max)}`,
      );
    }
  }
  lines.push(
    '',
    `added latency (sequential):  p50 ${ms(addedP50)}, p99 ${ms(addedP99)}   goal p50 < ${GOALS.addedP50Ms} ms: ${verdicts.addedP50 ? 'PASS' : 'FAIL'}`,
    `throughput (concurrent):     ${(share * 100).toFixed(1)} % of raw   goal >= ${GOALS.throughputShare * 100} %: ${verdicts.throughput ? 'PASS' : 'FAIL'}`,
    `memory: RSS ${before.rssMb.toFixed(0)} MB before boot, ${afterBoot.rssMb.toFixed(0)} MB after, peak ${peakRssMb.toFixed(0)} MB, ${end.rssMb.toFixed(0)} MB at the end (heap ${end.heapMb.toFixed(0)} MB)`,
  );
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  if (profiler) {
    const profileFile = path.join(RESULTS_DIR, `egress-${settings.dialect}-${stamp}.cpuprofile`);
    fs.writeFileSync(profileFile, JSON.stringify(profiler.profiles.at(-1)));
    lines.push('', `CPU profile of the governed concurrent runs (last run: ${path.relative(ROOT, profileFile)}), self time by module:`);
    for (const { module, share } of selfTimeByModule(profiler.profiles).slice(0, 25)) lines.push(`  ${(share * 100).toFixed(1).padStart(5)} %  ${module}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  const file = path.join(RESULTS_DIR, `egress-${settings.dialect}-${settings.journal}-${stamp}.json`);
  fs.writeFileSync(
    file,
    `${JSON.stringify({ settings, result, addedP50Ms: addedP50, addedP99Ms: addedP99, throughputShare: share, verdicts, memory: { before, afterBoot, peakRssMb, end } }, null, 2)}\n`,
  );
  process.stdout.write(`Results: ${path.relative(ROOT, file)}\n`);
  process.exit(verdicts.addedP50 && verdicts.throughput ? 0 : 1);
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
