#!/usr/bin/env node
// `npm run bench -- sync [--records N] [--per-page N] [--dialect sqlite|postgres|both] [--profile]`
//
// A paged source of N records (50,000 unless given; 100 a page) served by a local peer (the paged test peer,
// test/support/paged-peer, in this process) is synced by the platform (`node dist/main.js` with the peer's
// test-only descriptor, APP_ROLE=VendorApiClientRegistryService,IntegrationSyncWorker): one on-demand pass
// through the IntegrationSyncWorker, every page a governed call (run recorded, budgets, breaker, egress),
// checkpointed in one store transaction with its records, cursor and ExternalRecordsChanged event. Beside it
// in the same run, the raw baseline: the same pages fetched with undici and inserted with plain SQL (one
// multi-row INSERT per page in a transaction, a prepared statement on SQLite) into a scratch table of the
// same store. Each first makes one unmeasured warm-up pass (the platform on a connection of its own, raw into a
// table of its own), so the measured pass runs in a warm process, as a long-running worker does. Reported: records/s for both and their ratio, page cycle time percentiles (the gaps between
// page requests the peer sees: fetch + store), and the platform process's RSS sampled every 250 ms over the
// pass (start, a third in, peak, end). Goal: the platform at >= 50 % of raw, with flat memory (after the first
// third of the pass, RSS grows no more than 10 % + 10 MB).
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startPagedPeer } = require('../test/support/paged-peer');

const ROOT = path.join(__dirname, '..');
const RESULTS_DIR = path.join(__dirname, 'results');
const LAUNCHER = path.join(ROOT, 'test', 'support', 'paged-peer', 'launch-platform.js');
const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
const GOAL = 0.5;
const TENANT = 'bench-tenant';
const SCOPES = 'integration.connections.read integration.connections.write integration.credentials.write integration.runs.read integration.runs.execute';

function parseArgs(argv) {
  const settings = { records: 50_000, perPage: 100, dialect: 'sqlite', profile: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--records') settings.records = positive(flag, value());
    else if (flag === '--per-page') settings.perPage = positive(flag, value());
    else if (flag === '--profile') settings.profile = true;
    else if (flag === '--dialect') {
      settings.dialect = value();
      if (!['sqlite', 'postgres', 'both'].includes(settings.dialect)) usage(`--dialect is sqlite, postgres or both, got "${settings.dialect}"`);
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
  process.stderr.write(`${problem}\nUsage: npm run bench -- sync [--records N] [--per-page N] [--dialect sqlite|postgres|both] [--profile]\n`);
  process.exit(2);
}

// --- the peer's view: when each page was asked for ------------------------------------------------------------

/** Gaps between consecutive page requests (ms): one page's fetch and store, as the vendor sees the client. */
function pageGaps(arrivals) {
  const gaps = [];
  for (let index = 1; index < arrivals.length; index++) gaps.push(arrivals[index] - arrivals[index - 1]);
  return gaps;
}

function percentile(values, q) {
  const sorted = Float64Array.from(values).sort();
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

// --- raw: undici + plain SQL ----------------------------------------------------------------------------------

async function scratchStore(dialect, dataDir, name) {
  if (dialect === 'sqlite') {
    const Database = require('better-sqlite3');
    const db = new Database(path.join(dataDir, `${name}.sqlite`));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE raw_records (id TEXT PRIMARY KEY, hash TEXT NOT NULL, data TEXT NOT NULL, updated_at TEXT, seen_at TEXT NOT NULL)');
    const statements = new Map();
    const insert = (rows) => {
      let statement = statements.get(rows.length);
      if (!statement) {
        statement = db.prepare(
          `INSERT INTO raw_records (id, hash, data, updated_at, seen_at) VALUES ${rows.map(() => '(?, ?, ?, ?, ?)').join(', ')} ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, data = excluded.data`,
        );
        statements.set(rows.length, statement);
      }
      db.transaction(() => statement.run(rows.flat()))();
    };
    return { insert: async (rows) => insert(rows), count: async () => db.prepare('SELECT count(*) AS n FROM raw_records').get().n, close: async () => db.close() };
  }
  const { Client } = require('pg');
  const client = new Client({ connectionString: POSTGRES_URL });
  await client.connect();
  const table = `raw_records_${randomBytes(4).toString('hex')}`;
  await client.query(`CREATE TABLE ${table} (id text PRIMARY KEY, hash text NOT NULL, data text NOT NULL, updated_at text, seen_at timestamptz NOT NULL)`);
  return {
    insert: async (rows) => {
      const values = rows.map((_, row) => `($${row * 5 + 1}, $${row * 5 + 2}, $${row * 5 + 3}, $${row * 5 + 4}, $${row * 5 + 5})`).join(', ');
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO ${table} (id, hash, data, updated_at, seen_at) VALUES ${values} ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, data = excluded.data`,
        rows.flat(),
      );
      await client.query('COMMIT');
    },
    count: async () => Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n),
    close: async () => {
      await client.query(`DROP TABLE ${table}`);
      await client.end();
    },
  };
}

async function rawCase(dialect, peer, settings) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sync-raw-'));
  try {
    // A warm-up pass (JIT, connections, the store's caches) into a table of its own, as the platform gets one.
    const warmUp = await scratchStore(dialect, dataDir, 'warm');
    const cold = await rawPass(peer, settings, warmUp).finally(() => warmUp.close());
    const store = await scratchStore(dialect, dataDir, 'measured');
    return { ...(await rawPass(peer, settings, store).finally(() => store.close())), cold };
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function rawPass(peer, settings, store) {
  const { request } = require('undici');
  const { createHash } = require('node:crypto');
  const arrivals = [];
  peer.onItems = () => arrivals.push(performance.now());
  try {
    const started = performance.now();
    for (let page = '1'; page;) {
      const answer = await request(`${peer.url}/items?page=${page}&per_page=${settings.perPage}`, {
        headers: { authorization: `Bearer ${peer.token}`, accept: 'application/json' },
      });
      if (answer.statusCode !== 200) throw new Error(`Raw fetch: HTTP ${answer.statusCode}`);
      const body = await answer.body.json();
      const now = new Date().toISOString();
      await store.insert(
        body.items.map((item) => {
          const data = JSON.stringify(item);
          return [item.id, createHash('sha256').update(data).digest('hex'), data, item.updatedAt, now];
        }),
      );
      page = body.next;
    }
    const seconds = (performance.now() - started) / 1000;
    const stored = await store.count();
    if (stored !== settings.records) throw new Error(`Raw stored ${stored} records, expected ${settings.records}`);
    const gaps = pageGaps(arrivals);
    return { seconds, perSecond: settings.records / seconds, p50: percentile(gaps, 0.5), p99: percentile(gaps, 0.99) };
  } finally {
    peer.onItems = undefined;
  }
}

// --- the platform: node dist/main.js (with the peer's descriptor) ---------------------------------------------

async function freePort() {
  const server = require('node:net').createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startPlatform(env, profile) {
  const port = await freePort();
  const nodeArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${RESULTS_DIR}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, LAUNCHER], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'development', LOG_LEVEL: 'warn', PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  child.once('exit', () => (exited = true));
  for (const deadline = Date.now() + 30_000; ;) {
    if (exited) throw new Error('The platform exited before it was ready');
    if (Date.now() > deadline) throw new Error('The platform was not ready within 30 s');
    if (
      await fetch(`${url}/health/ready`).then(
        (response) => response.ok,
        () => false,
      )
    )
      break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, url, stop: () => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'))) };
}

async function token(secret) {
  const { SignJWT } = require('jose');
  return new SignJWT({ tenantId: TENANT, scope: SCOPES }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('1h').sign(Buffer.from(secret, 'utf8'));
}

async function call(url, bearer, method, route, body) {
  const response = await fetch(`${url}${route}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const answer = await response.json();
  if (response.status >= 300) throw new Error(`${method} ${route} answered ${response.status}: ${JSON.stringify(answer)}`);
  return answer;
}

function rssMb(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  } catch {
    return NaN;
  }
}

async function platformCase(dialect, peer, settings) {
  const jwtSecret = randomBytes(32).toString('base64url');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sync-'));
  const schema = `bench_sync_${randomBytes(4).toString('hex')}`;
  const platform = await startPlatform(
    {
      APP_ROLE: 'VendorApiClientRegistryService,IntegrationSyncWorker',
      AUTH_JWT_SECRET: jwtSecret,
      DATA_DIR: dataDir,
      EGRESS_ALLOW_LIST: '127.0.0.1',
      PAGED_PEER_PER_PAGE: String(settings.perPage),
      SYNC_TICK: '50ms',
      // The vendor's limits are not what is measured: budgets wide enough never to refuse.
      RATE_LIMIT_PROVIDER_RPS: '1000000',
      RATE_LIMIT_PROVIDER_BURST: '1000000',
      ...(dialect === 'postgres' ? { DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema } : {}),
    },
    settings.profile,
  );
  const arrivals = [];
  try {
    const bearer = await token(jwtSecret);
    const credential = await call(platform.url, bearer, 'POST', '/integrations/credentials', { name: 'bench-peer', value: peer.token });
    const connection = await call(platform.url, bearer, 'POST', '/integrations/connections', {
      providerId: 'paged-peer',
      displayName: 'Bench peer',
      credentialId: credential.id,
      configuration: { baseUrl: peer.url },
      rateLimitBudget: { requestsPerSecond: 100_000, burst: 100_000 },
    });
    const syncRoute = `/integrations/connections/${connection.id}/syncs/items`;
    await call(platform.url, bearer, 'PUT', syncRoute, { enabled: false, intervalMs: 3_600_000 });
    const cold = await warmUp(platform.url, bearer, credential.id, peer, settings);

    const samples = [rssMb(platform.child.pid)];
    const sampler = setInterval(() => samples.push(rssMb(platform.child.pid)), 250);
    peer.onItems = () => arrivals.push(performance.now());
    const started = Date.now();
    let state;
    try {
      await call(platform.url, bearer, 'POST', `${syncRoute}/run`);
      // Polled slowly (the polls are work for the platform too); the pass's own completedAt times it.
      for (const deadline = Date.now() + 600_000; ;) {
        state = await call(platform.url, bearer, 'GET', syncRoute);
        if (state.lastPass?.number === 1 || state.state === 'Failed') break;
        if (Date.now() > deadline) throw new Error('The pass did not complete within 10 minutes');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } finally {
      clearInterval(sampler);
      peer.onItems = undefined;
    }
    samples.push(rssMb(platform.child.pid));
    if (state.state === 'Failed') throw new Error(`The sync failed: ${JSON.stringify(state.lastError)}`);
    if (state.lastPass.created !== settings.records) throw new Error(`The pass created ${state.lastPass.created} records, expected ${settings.records}`);
    const seconds = (Date.parse(state.lastPass.completedAt) - started) / 1000;
    const gaps = pageGaps(arrivals);
    const third = Math.floor(samples.length / 3);
    return {
      cold,
      seconds,
      perSecond: settings.records / seconds,
      p50: percentile(gaps, 0.5),
      p99: percentile(gaps, 0.99),
      rssMb: {
        start: samples[0],
        middle: samples[third] ?? samples[0],
        peak: Math.max(...samples.filter(Number.isFinite)),
        end: samples[samples.length - 1],
        samples: samples.length,
      },
    };
  } finally {
    await platform.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (dialect === 'postgres') await dropSchema(schema);
  }
}

/** A first pass on a connection of its own: the measured pass then runs in a warm process (JIT, caches, pools). */
async function warmUp(url, bearer, credentialId, peer, settings) {
  const connection = await call(url, bearer, 'POST', '/integrations/connections', {
    providerId: 'paged-peer',
    displayName: 'Bench warm-up',
    credentialId,
    configuration: { baseUrl: peer.url },
    rateLimitBudget: { requestsPerSecond: 100_000, burst: 100_000 },
  });
  const route = `/integrations/connections/${connection.id}/syncs/items`;
  await call(url, bearer, 'PUT', route, { enabled: false, intervalMs: 3_600_000 });
  const started = Date.now();
  await call(url, bearer, 'POST', `${route}/run`);
  for (const deadline = Date.now() + 600_000; ;) {
    const state = await call(url, bearer, 'GET', route);
    if (state.lastPass?.number === 1) {
      const seconds = (Date.parse(state.lastPass.completedAt) - started) / 1000;
      return { seconds, perSecond: settings.records / seconds };
    }
    if (state.state === 'Failed' || Date.now() > deadline) throw new Error(`The warm-up pass did not complete: ${JSON.stringify(state.lastError)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function dropSchema(schema) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}

// --- report ----------------------------------------------------------------------------------------------------

const percent = (share) => `${(share * 100).toFixed(1)} %`;
const ms = (value) => (Number.isFinite(value) ? `${value.toFixed(2)} ms` : '-');
const mb = (value) => (Number.isFinite(value) ? value.toFixed(0) : '-');

function table(header, rows) {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => String(row[column] ?? '').length)));
  const line = (cells) =>
    cells
      .map((cell, column) => String(cell ?? '').padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

async function main() {
  const settings = parseArgs(process.argv.slice(2));
  const dialects = settings.dialect === 'both' ? ['sqlite', 'postgres'] : [settings.dialect];
  const base = await startPagedPeer({ records: settings.records });
  // The benchmark sees each page request as it arrives (page cycle times).
  const peer = Object.assign(base, { onItems: undefined });
  const report = { settings, cases: {} };
  const lines = [`Sync — ${settings.records} records, ${settings.perPage} a page, ${os.cpus().length} CPUs, Node ${process.version}`, ''];
  const rows = [];
  let pass = true;
  peerHook(peer);
  try {
    for (const dialect of dialects) {
      process.stderr.write(`… raw (undici + plain SQL) on ${dialect}\n`);
      const raw = await rawCase(dialect, peer, settings);
      process.stderr.write(`… platform (IntegrationSyncWorker) on ${dialect}\n`);
      const platform = await platformCase(dialect, peer, settings);
      const ofRaw = platform.perSecond / raw.perSecond;
      // Flat: after the first third of the measured pass RSS grows no more than 10 % + 10 MB.
      const flat = platform.rssMb.end <= platform.rssMb.middle * 1.1 + 10;
      const met = ofRaw >= GOAL && flat;
      pass &&= met;
      report.cases[dialect] = { raw, platform, ofRaw, flat, met };
      const coldOfRaw = platform.cold.perSecond / raw.cold.perSecond;
      report.cases[dialect].coldOfRaw = coldOfRaw;
      rows.push(
        [`raw, ${dialect}, first pass (cold process)`, raw.cold.perSecond.toFixed(0), raw.cold.seconds.toFixed(2), '', '', '', ''],
        [
          `platform, ${dialect}, first pass (cold process)`,
          platform.cold.perSecond.toFixed(0),
          platform.cold.seconds.toFixed(2),
          '',
          '',
          '',
          `${percent(coldOfRaw)} of raw (not the goal)`,
        ],
        [`raw, ${dialect} (undici, plain SQL)`, raw.perSecond.toFixed(0), raw.seconds.toFixed(2), ms(raw.p50), ms(raw.p99), '', ''],
        [
          `platform, ${dialect} (sync worker)`,
          platform.perSecond.toFixed(0),
          platform.seconds.toFixed(2),
          ms(platform.p50),
          ms(platform.p99),
          `${mb(platform.rssMb.start)} / ${mb(platform.rssMb.middle)} / ${mb(platform.rssMb.peak)} / ${mb(platform.rssMb.end)} (${platform.rssMb.samples} samples): ${flat ? 'flat' : 'GROWING'}`,
          `${percent(ofRaw)} of raw: ${met ? 'PASS' : 'FAIL'} (>= ${percent(GOAL)}, flat RSS)`,
        ],
      );
    }
  } finally {
    await peer.close();
  }
  lines.push(...table(['case', 'records/s', 'seconds', 'page p50', 'page p99', 'RSS MB start / a third in / peak / end', 'goal'], rows));
  process.stdout.write(`${lines.join('\n')}\n`);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `sync-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\nResults: ${path.relative(ROOT, file)}\n${pass ? 'PASS' : 'FAIL'}\n`);
  process.exitCode = pass ? 0 : 1;
}

/** Counts page requests for the benchmark: wraps the peer's fetch counter so each `/items` arrival calls `onItems`. */
function peerHook(peer) {
  const set = peer.fetches.set.bind(peer.fetches);
  peer.fetches.set = (key, value) => {
    peer.onItems?.();
    return set(key, value);
  };
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
