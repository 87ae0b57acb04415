#!/usr/bin/env node
// `npm run bench -- bus [--messages N] [--dialect sqlite|postgres] [--trace]`: throughput, latency and memory of
// the store-backed message bus (dist/platform/messaging) on SQLite and on PostgreSQL, beside a raw baseline
// measured in the same run: the same rows (same columns, same payload) inserted into and deleted from
// `bus_messages` with plain better-sqlite3 / plain pg, i.e. the least work any table-backed queue must do.
//
// Per dialect, every case runs in a child process of its own on a fresh store (SQLite: a new DATA_DIR,
// PostgreSQL: a new schema `bench_<random>_<case>` in 127.0.0.1:5432/test, dropped at the end), so memory and
// warm-up do not leak from one case into the next. Order: raw, bus at each consumer setting, raw again (the
// baseline is the mean of its two runs, which spreads slow drift of the machine over both sides).
//
// Bus case: one consumer on `deliver-webhook` whose handler completes at once; one producer sends N messages
// with `bus.send` in batches of BATCH (awaiting each batch, as a request handler or an outbox relay would),
// flat out, while the consumer drains. Throughput = N / (first send -> last completion). Latency = send
// timestamp in the body -> handler start; with the producer flat out it is dominated by the backlog.
// Raw case: the same N rows in the same batches: one INSERT per batch (pg: unnest, RETURNING id;
// better-sqlite3: a prepared statement in one transaction per batch), and one DELETE per batch of those ids
// (pg: a second loop on the same Pool, running while the producer inserts; SQLite: right after each insert).
// Goal: the bus reaches GOAL of the raw rate on each dialect. Reads /proc for machine info: Linux only.
const { spawn } = require('node:child_process');
const { randomBytes, randomUUID } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const RESULTS_DIR = path.join(__dirname, 'results');
const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
const QUEUE = 'deliver-webhook';
const GOAL = 0.5; // bus rate / raw rate, per dialect
const DEFAULT_MESSAGES = 20_000;
const BATCH = 100;
const SETTINGS = [
  { concurrency: 8, prefetch: 32 },
  { concurrency: 32, prefetch: 128 },
];
const CASE_TIMEOUT_MS = 90_000;
const MEMORY_SAMPLE_MS = 20;
const TAIL_LINES = 20;

// ----------------------------------------------------------------------------------------------------
// Shared by parent and children: the messages the producer sends, and the rows the bus writes for them.
// ----------------------------------------------------------------------------------------------------

const TENANTS = Array.from({ length: 16 }, (_, i) => `tenant-${String(i + 1).padStart(4, '0')}`);
// A webhook delivery command of about 0.6 kB, the size the gateway sends (event envelope + target).
const EVENT_DATA = { runId: '', provider: 'github', status: 'failed', attempts: 3, error: 'HTTP 503 from vendor after 3 attempts', note: 'x'.repeat(180) };

function nowMs() {
  return performance.timeOrigin + performance.now();
}

/** One DeliverWebhook command as BusPublisher builds it; `sentAt` (epoch ms, fractional) is set just before the send. */
function makeMessage(seq, sentAt) {
  const id = randomUUID();
  return {
    messageId: id,
    correlationId: randomUUID(),
    subject: 'DeliverWebhook',
    tenantId: TENANTS[seq % TENANTS.length],
    traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
    contentType: 'application/json',
    body: {
      seq,
      sentAt,
      deliveryId: id,
      subscriptionId: `sub-${seq % 97}`,
      url: `https://hooks.example.com/tenants/${seq % TENANTS.length}/integration-events`,
      event: { type: 'IntegrationFailed', id: randomUUID(), occurredAt: new Date(sentAt).toISOString(), data: { ...EVENT_DATA, runId: `run-${seq}` } },
    },
  };
}

/** Exactly what StoreMessageBus.write puts in bus_messages for a message (its toRow()). */
function toRow(message) {
  return {
    messageId: message.messageId,
    correlationId: message.correlationId ?? null,
    subject: message.subject,
    tenantId: message.tenantId,
    traceparent: message.traceparent ?? null,
    contentType: message.contentType ?? 'application/json',
    properties: message.applicationProperties ? JSON.stringify(message.applicationProperties) : null,
    body: JSON.stringify(message.body ?? null),
    visibleAt: message.scheduledEnqueueTime ? message.scheduledEnqueueTime.getTime() : null,
  };
}

function makeBatch(first, count) {
  const sentAt = nowMs();
  return Array.from({ length: count }, (_, i) => makeMessage(first + i, sentAt));
}

// ----------------------------------------------------------------------------------------------------
// Child: one case on one fresh store. Receives the case over IPC argv, answers with process.send().
// ----------------------------------------------------------------------------------------------------

async function runChild(spec) {
  require('reflect-metadata');
  const { Logger } = require('@nestjs/common');
  Logger.overrideLogger(['error', 'warn']);
  const v8 = require('node:v8');
  v8.setFlagsFromString('--expose-gc');
  const gc = require('node:vm').runInNewContext('gc');

  const dist = (name) => require(path.join(ROOT, 'dist', name));
  const { DataSource } = require('typeorm');
  const { MIGRATIONS } = dist('database/migrations');
  const { loadOptions } = dist('platform/config/options');
  const { RuntimeOptions } = dist('platform/config/runtime.options');
  const { BusOptions } = dist('platform/messaging/bus.options');
  const { DatabaseOptions } = dist('platform/persistence/database.options');
  const { buildDataSourceOptions, sqliteFilePath } = dist('platform/persistence/data-source-options');
  const { runMigrationsExclusively } = dist('platform/persistence/migration-runner');

  const database = loadOptions(DatabaseOptions, spec.env);
  const runtime = loadOptions(RuntimeOptions, spec.env);
  const dataSource = await new DataSource(buildDataSourceOptions(database, runtime, { entities: [], migrations: MIGRATIONS })).initialize();
  await runMigrationsExclusively(dataSource, database.url ? undefined : path.join(runtime.dataDir, 'migrate.lock'));

  const memory = memoryTracker(gc);
  if (spec.kind === 'raw') {
    await dataSource.destroy();
    const result = database.url
      ? await rawPostgres(spec, database, memory)
      : rawSqlite(spec, sqliteFilePath(database, runtime), memory);
    return { ...result, memory: memory.summary() };
  }
  const { createMessageBus } = dist('platform/messaging/message-bus.factory');
  const busOptions = loadOptions(BusOptions, spec.env);
  const bus = await createMessageBus(busOptions, database, dataSource);
  try {
    const result = await busCase(spec, bus, busOptions, memory);
    return { ...result, memory: memory.summary() };
  } finally {
    await bus.close();
    await dataSource.destroy();
  }
}

function memoryTracker(gc) {
  const snapshot = () => {
    const { rss, heapUsed } = process.memoryUsage();
    return { rssMb: rss / 1048576, heapMb: heapUsed / 1048576 };
  };
  let before;
  let after;
  let peak;
  let timer;
  return {
    start() {
      gc();
      before = snapshot();
      peak = { ...before };
      timer = setInterval(() => this.sample(), MEMORY_SAMPLE_MS);
    },
    sample() {
      const now = snapshot();
      peak.rssMb = Math.max(peak.rssMb, now.rssMb);
      peak.heapMb = Math.max(peak.heapMb, now.heapMb);
      return now;
    },
    stop() {
      clearInterval(timer);
      after = this.sample();
    },
    summary: () => ({ before, after, peak }),
  };
}

/** Counts (and with --trace, times) the bus's calls into its table store. */
function instrumentStore(bus, trace) {
  const store = bus.store;
  const calls = {};
  if (!store) return calls;
  const methods = ['insert', 'claim', 'complete', 'abandon', 'deadLetter', 'renew', 'release', 'nextVisibleIn'];
  for (const method of methods) {
    const original = store[method].bind(store);
    const entry = (calls[method] = { calls: 0, rows: 0, ms: trace ? 0 : undefined });
    store[method] = trace
      ? async (...args) => {
          entry.calls += 1;
          const started = performance.now();
          try {
            const result = await original(...args);
            if (Array.isArray(result)) entry.rows += result.length;
            return result;
          } finally {
            entry.ms += performance.now() - started;
          }
        }
      : (...args) => {
          entry.calls += 1;
          return original(...args);
        };
  }
  return calls;
}

async function busCase(spec, bus, busOptions, memory) {
  const { messages: total, batch } = spec;
  const storeCalls = instrumentStore(bus, spec.trace);
  const latencies = new Float64Array(total);
  const seen = new Uint8Array(total);
  let deliveries = 0;
  let completed = 0;
  let lastCompletion = 0;
  let finished;
  const done = new Promise((resolve) => (finished = resolve));

  const consumer = await bus.consume(
    { queue: QUEUE },
    async (message, settlement) => {
      const started = nowMs();
      deliveries += 1;
      const { seq, sentAt } = message.body;
      if (seen[seq]++ === 0) latencies[seq] = started - sentAt;
      await settlement.complete();
      completed += 1;
      lastCompletion = nowMs();
      if (completed >= total) finished();
    },
    { concurrency: spec.concurrency, prefetch: spec.prefetch, maxDeliveryCount: 10, lockDurationMs: 30_000, maxLockRenewalMs: 60_000 },
  );

  memory.start();
  const firstSend = nowMs();
  for (let first = 0; first < total; first += batch) {
    await bus.send(QUEUE, makeBatch(first, Math.min(batch, total - first)));
  }
  const lastSend = nowMs();
  const timedOut = await Promise.race([done.then(() => false), sleep(spec.timeoutMs).then(() => true)]);
  memory.stop();
  await consumer.close();
  const left = await bus.depth({ queue: QUEUE });

  const handled = seen.reduce((n, count) => n + (count > 0 ? 1 : 0), 0);
  const failure = timedOut
    ? `${handled} of ${total} messages handled within ${spec.timeoutMs / 1000} s`
    : left !== 0
      ? `${left} messages left in the queue after all were handled`
      : undefined;
  return {
    failure,
    messages: total,
    elapsedMs: lastCompletion - firstSend,
    sendMs: lastSend - firstSend,
    rate: (total / (lastCompletion - firstSend)) * 1000,
    latencyMs: percentiles(latencies.slice(0, total)),
    deliveries,
    redelivered: deliveries - handled,
    storeCalls,
    busSettings: { pollIntervalMs: busOptions.pollIntervalMs, duplicateDetectionWindowMs: busOptions.duplicateDetectionWindowMs },
  };
}

function rawSqlite(spec, file, memory) {
  const Database = require('better-sqlite3');
  const db = new Database(file);
  // What the platform's DataSource sets (enableWAL, prepareDatabase).
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  const insert = db.prepare(
    `INSERT INTO bus_messages
       (entity, message_id, correlation_id, subject, tenant_id, traceparent, content_type, properties, body, enqueued_at, delivery_count, visible_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)`,
  );
  const remove = db.prepare('DELETE FROM bus_messages WHERE id = ?');
  const insertBatch = db.transaction((rows) => {
    const now = Date.now();
    return rows.map(
      (r) =>
        insert.run(QUEUE, r.messageId, r.correlationId, r.subject, r.tenantId, r.traceparent, r.contentType, r.properties, r.body, now, r.visibleAt ?? now)
          .lastInsertRowid,
    );
  });
  const deleteBatch = db.transaction((ids) => {
    for (const id of ids) remove.run(id);
  });

  memory.start();
  const started = nowMs();
  for (let first = 0; first < spec.messages; first += spec.batch) {
    const rows = makeBatch(first, Math.min(spec.batch, spec.messages - first)).map(toRow);
    deleteBatch.immediate(insertBatch.immediate(rows));
  }
  const elapsedMs = nowMs() - started;
  memory.stop();
  const left = db.prepare('SELECT count(*) AS n FROM bus_messages').get().n;
  db.close();
  return { failure: left === 0 ? undefined : `${left} rows left`, messages: spec.messages, elapsedMs, rate: (spec.messages / elapsedMs) * 1000 };
}

async function rawPostgres(spec, database, memory) {
  const { Pool } = require('pg');
  // The same pool the platform builds (size, search_path); TypeORM's extra settings.
  const pool = new Pool({ connectionString: database.url, max: database.poolSize, options: `-c search_path="${database.schema}"` });
  const NOW = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;
  const insertSql = `INSERT INTO bus_messages
      (entity, message_id, correlation_id, subject, tenant_id, traceparent, content_type, properties, body, enqueued_at, delivery_count, visible_at)
    SELECT $10, t.message_id, t.correlation_id, t.subject, t.tenant_id, t.traceparent, t.content_type, t.properties, t.body, ${NOW}, 0, COALESCE(t.visible_at, ${NOW})
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[])
      AS t(message_id, correlation_id, subject, tenant_id, traceparent, content_type, properties, body, visible_at)
    RETURNING id`;
  const pending = [];
  let wake;
  let produced = false;
  let deleted = 0;

  const producer = async () => {
    for (let first = 0; first < spec.messages; first += spec.batch) {
      const rows = makeBatch(first, Math.min(spec.batch, spec.messages - first)).map(toRow);
      const column = (key) => rows.map((row) => row[key]);
      const keys = ['messageId', 'correlationId', 'subject', 'tenantId', 'traceparent', 'contentType', 'properties', 'body', 'visibleAt'];
      const { rows: ids } = await pool.query(insertSql, [...keys.map(column), QUEUE]);
      pending.push(...ids.map((row) => row.id));
      wake?.();
    }
    produced = true;
    wake?.();
  };
  const deleter = async () => {
    while (deleted < spec.messages) {
      if (pending.length === 0) {
        if (produced) break;
        await new Promise((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      const ids = pending.splice(0, spec.batch);
      const { rowCount } = await pool.query('DELETE FROM bus_messages WHERE id = ANY($1::bigint[])', [ids]);
      deleted += rowCount;
    }
  };

  memory.start();
  const started = nowMs();
  await Promise.all([producer(), deleter()]);
  const elapsedMs = nowMs() - started;
  memory.stop();
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM bus_messages');
  await pool.end();
  const left = rows[0].n;
  return { failure: left === 0 ? undefined : `${left} rows left`, messages: spec.messages, elapsedMs, rate: (spec.messages / elapsedMs) * 1000 };
}

function percentiles(values) {
  const sorted = Float64Array.from(values).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1] };
}

// ----------------------------------------------------------------------------------------------------
// Parent: arguments, stores, one child per case, report.
// ----------------------------------------------------------------------------------------------------

// Cleaned up on exit, however the benchmark ends (schemas asynchronously, before exiting).
const running = new Set();
const tempDirs = new Set();
const schemas = new Set();

function parseArgs(argv) {
  const options = { messages: DEFAULT_MESSAGES, dialects: ['sqlite', 'postgres'], trace: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    if (flag === '--trace') {
      options.trace = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (flag === '--messages') {
      options.messages = Number(value);
      if (!Number.isInteger(options.messages) || options.messages < BATCH) usage(`--messages needs an integer of at least ${BATCH}, got "${value}"`);
    } else if (flag === '--dialect') {
      if (value !== 'sqlite' && value !== 'postgres') usage(`--dialect is sqlite or postgres, got "${value}"`);
      options.dialects = [value];
    } else usage(`Unknown argument "${argv[i]}"`);
  }
  return options;
}

function usage(problem) {
  process.stderr.write(
    `${problem}\nUsage: npm run bench -- bus [--messages N] [--dialect sqlite|postgres] [--trace]\n` +
      `  N messages per case (default ${DEFAULT_MESSAGES}); --trace also times every store call of the bus\n`,
  );
  process.exit(2);
}

function casesFor(dialect, options) {
  const common = { dialect, messages: options.messages, batch: BATCH, trace: options.trace, timeoutMs: CASE_TIMEOUT_MS - 15_000 };
  return [
    { ...common, kind: 'raw', name: 'raw 1' },
    ...SETTINGS.map((setting) => ({ ...common, kind: 'bus', name: `bus c${setting.concurrency}/p${setting.prefetch}`, ...setting })),
    { ...common, kind: 'raw', name: 'raw 2' },
  ];
}

/** A fresh store for one case: its own DATA_DIR, and on PostgreSQL its own schema (created by the migration runner). */
function storeEnv(dialect, tempRoot, runId, index) {
  const dataDir = path.join(tempRoot, `case-${index}`);
  fs.mkdirSync(dataDir, { recursive: true });
  const env = { DATA_DIR: dataDir, NODE_ENV: 'development' };
  if (dialect === 'postgres') {
    const schema = `bench_${runId}_${index}`;
    schemas.add(schema);
    Object.assign(env, { DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema });
  }
  return env;
}

function runCase(spec) {
  return new Promise((resolve) => {
    const tail = [];
    const child = spawn(process.execPath, [__filename, '--child'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    running.add(child);
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        for (const line of chunk.split('\n')) if (line.trim()) remember(tail, line);
      });
    }
    let result;
    child.on('message', (message) => (result = message));
    const timeout = setTimeout(() => child.kill('SIGKILL'), CASE_TIMEOUT_MS);
    child.once('close', (code, signal) => {
      clearTimeout(timeout);
      running.delete(child);
      if (result?.error) resolve({ failure: result.error, tail });
      else if (!result) resolve({ failure: `child ended without a result (${signal ? `signal ${signal}` : `exit code ${code}`})`, tail });
      else resolve({ ...result, warnings: tail.filter((line) => /warn|error/i.test(line)).length, tail: result.failure ? tail : undefined });
    });
    child.send(spec);
  });
}

async function postgresReachable() {
  const { Client } = require('pg');
  const client = new Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return `PostgreSQL at ${POSTGRES_URL} not reachable: ${error.message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function measureDialect(dialect, options, tempRoot, runId) {
  const unreachable = dialect === 'postgres' ? await postgresReachable() : undefined;
  if (unreachable) return { dialect, failure: unreachable, cases: [] };
  const cases = [];
  for (const [index, spec] of casesFor(dialect, options).entries()) {
    const began = Date.now();
    const result = await runCase({ ...spec, env: storeEnv(dialect, tempRoot, runId, `${dialect === 'sqlite' ? 's' : 'p'}${index}`) });
    if (dialect === 'postgres') await dropSchemas();
    process.stderr.write(`  ${dialect.padEnd(8)} ${spec.name.padEnd(14)} ${((Date.now() - began) / 1000).toFixed(1)} s${result.failure ? `  FAIL: ${result.failure}` : ''}\n`);
    if (result.failure && result.tail?.length) process.stderr.write(`${result.tail.map((line) => `      | ${line}`).join('\n')}\n`);
    cases.push({ spec: withoutEnv(spec), result });
  }
  return judge(dialect, cases);
}

function judge(dialect, cases) {
  const raw = cases.filter((c) => c.spec.kind === 'raw' && !c.result.failure);
  const bus = cases.filter((c) => c.spec.kind === 'bus');
  const baseline = raw.length > 0 ? raw.reduce((sum, c) => sum + c.result.rate, 0) / raw.length : undefined;
  const reasons = [];
  if (baseline === undefined) reasons.push('no raw baseline');
  for (const c of cases) if (c.result.failure) reasons.push(`${c.spec.name}: ${c.result.failure}`);
  const ok = bus.filter((c) => !c.result.failure);
  const best = ok.length > 0 ? ok.reduce((a, b) => (b.result.rate > a.result.rate ? b : a)) : undefined;
  const bestRatio = best && baseline ? best.result.rate / baseline : undefined;
  if (bestRatio !== undefined && bestRatio < GOAL) reasons.push(`best bus rate ${pct(bestRatio)} of raw (goal ${pct(GOAL)})`);
  return { dialect, baseline, best: best?.spec.name, bestRatio, verdict: reasons.length > 0 ? 'FAIL' : 'PASS', reasons, cases };
}

function printReport({ machine, options, dialects, totalMs }) {
  const header = ['dialect', 'case', 'msg/s', '% raw', 'lat p50 / p95 / p99 / max ms', 'RSS MB before/after/peak', 'heap MB before/after/peak', 'notes'];
  const rows = [];
  for (const d of dialects) {
    if (d.cases.length === 0) rows.push([d.dialect, '-', '-', '-', '-', '-', '-', d.failure]);
    for (const { spec, result: r } of d.cases) {
      const m = r.memory;
      const notes = [];
      if (r.failure) notes.push(`FAIL: ${r.failure}`);
      if (r.redelivered) notes.push(`${r.redelivered} redelivered`);
      if (r.warnings) notes.push(`${r.warnings} warning lines`);
      if (spec.kind === 'bus' && r.sendMs !== undefined) notes.push(`sends done at ${s(r.sendMs)} s of ${s(r.elapsedMs)} s`);
      rows.push([
        d.dialect,
        spec.name,
        r.rate ? Math.round(r.rate).toLocaleString('en-US') : '-',
        spec.kind === 'bus' && r.rate && d.baseline ? pct(r.rate / d.baseline) : spec.kind === 'raw' ? '(base)' : '-',
        r.latencyMs ? [r.latencyMs.p50, r.latencyMs.p95, r.latencyMs.p99, r.latencyMs.max].map(ms).join(' / ') : '-',
        m ? [m.before.rssMb, m.after.rssMb, m.peak.rssMb].map(mb).join(' / ') : '-',
        m ? [m.before.heapMb, m.after.heapMb, m.peak.heapMb].map(mb).join(' / ') : '-',
        notes.join('; '),
      ]);
    }
  }
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => String(row[i]).length)));
  const numeric = new Set([2, 3, 4, 5, 6]);
  const format = (row) => row.map((cell, i) => (numeric.has(i) ? String(cell).padStart(widths[i]) : String(cell).padEnd(widths[i]))).join('  ').trimEnd();

  const calls = [];
  for (const d of dialects) {
    for (const { spec, result } of d.cases) {
      if (spec.kind !== 'bus' || !result.storeCalls) continue;
      const parts = Object.entries(result.storeCalls)
        .filter(([, entry]) => entry.calls > 0)
        .map(([name, entry]) => `${name} ${entry.calls}${entry.ms !== undefined ? ` (${Math.round(entry.ms)} ms)` : ''}`);
      calls.push(`  ${d.dialect} ${spec.name}: ${parts.join(', ')}`);
    }
  }

  const out = [
    '',
    `Machine: ${machine.cpu}, ${machine.cpus} CPUs, ${machine.memGb} GB, Node ${machine.node}, ${machine.platform}${machine.postgres ? `, ${machine.postgres}` : ''}`,
    `Messages: ${options.messages.toLocaleString('en-US')} per case to queue ${QUEUE}, sent in batches of ${BATCH} (bus.send awaited per batch), ~${machine.bodyBytes} B JSON body`,
    '',
    format(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(format),
    '',
    ...dialects.map((d) =>
      d.verdict
        ? `${d.dialect.padEnd(8)} ${d.verdict}: best bus ${d.best ?? '-'} ${d.bestRatio !== undefined ? pct(d.bestRatio) : '-'} of raw ${d.baseline ? Math.round(d.baseline).toLocaleString('en-US') : '-'} msg/s (goal ≥ ${pct(GOAL)})${d.reasons.length > 0 ? `; ${d.reasons.join('; ')}` : ''}`
        : `${d.dialect.padEnd(8)} FAIL: ${d.failure}`,
    ),
    '',
    'Store calls by the bus (per case):',
    ...calls,
    '',
    'msg/s   = messages / (first send -> last completion); raw = the same rows INSERTed and DELETEd in batches, no bus',
    '          (base = mean of raw 1 and raw 2, run before and after the bus cases)',
    'latency = send timestamp in the body -> handler start (the producer runs flat out, so this is mostly backlog)',
    `memory  = process.memoryUsage() of the case's own process: after setup and GC, at the end, peak of ${MEMORY_SAMPLE_MS} ms samples`,
    `Total time: ${s(totalMs)} s`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

function writeResults(report) {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `bus-${report.startedAt.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

// --- helpers ----------------------------------------------------------------------------------------

const ms = (value) => (value < 10 ? value.toFixed(1) : String(Math.round(value)));
const mb = (value) => value.toFixed(1);
const s = (value) => (value / 1000).toFixed(1);
const pct = (ratio) => `${Math.round(ratio * 100)} %`;

function withoutEnv({ env, ...spec }) {
  return spec;
}

function remember(lines, line) {
  lines.push(line);
  if (lines.length > TAIL_LINES) lines.shift();
}

function sleep(duration) {
  return new Promise((resolve) => setTimeout(resolve, duration).unref());
}

async function postgresVersion() {
  const { Client } = require('pg');
  const client = new Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    const { rows } = await client.query('SHOW server_version');
    return `PostgreSQL ${rows[0].server_version.split(' ')[0]} (local)`;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function dropSchemas() {
  if (schemas.size === 0) return;
  const { Client } = require('pg');
  const client = new Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    for (const schema of [...schemas]) {
      if (!/^bench_[0-9a-f]+_[a-z0-9]+$/.test(schema)) continue; // only names this run generated
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      schemas.delete(schema);
    }
  } catch (error) {
    process.stderr.write(`Could not drop schemas ${[...schemas].join(', ')}: ${error.message}\n`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function cleanUp() {
  for (const child of running) child.kill('SIGKILL');
  await dropSchemas();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

// --- main -------------------------------------------------------------------------------------------

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const startedAt = new Date().toISOString();
  const began = process.hrtime.bigint();
  const runId = randomBytes(4).toString('hex');
  const tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-bus-'));
  tempDirs.add(tempRoot);
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.cpus().length,
    memGb: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    postgres: options.dialects.includes('postgres') ? await postgresVersion() : undefined,
    bodyBytes: Buffer.byteLength(toRow(makeMessage(12345, nowMs())).body),
  };

  process.stderr.write(
    `Store bus vs raw table, ${options.dialects.join(' and ')}: ${options.messages} messages per case, ` +
      `raw / ${SETTINGS.map((x) => `c${x.concurrency}/p${x.prefetch}`).join(' / ')} / raw...\n`,
  );
  const dialects = [];
  for (const dialect of options.dialects) dialects.push(await measureDialect(dialect, options, tempRoot, runId));
  const totalMs = Number(process.hrtime.bigint() - began) / 1e6;
  printReport({ machine, options, dialects, totalMs });

  const file = writeResults({
    startedAt,
    machine,
    options: { ...options, batch: BATCH, queue: QUEUE, settings: SETTINGS },
    goal: { busOverRaw: GOAL },
    memoryUnit: 'MiB',
    totalMs,
    dialects,
  });
  process.stdout.write(`Results: ${path.relative(ROOT, file)}\n`);
  process.exitCode = dialects.some((d) => d.verdict !== 'PASS') ? 1 : 0;
}

if (process.argv[2] === '--child') {
  // A case: the spec comes over IPC; the parent going away ends the child.
  process.on('disconnect', () => process.exit(1));
  process.once('message', (spec) => {
    runChild(spec)
      .then((result) => process.send(result, () => process.exit(0)))
      .catch((error) => process.send({ error: String(error.stack ?? error) }, () => process.exit(1)));
  });
} else {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      cleanUp().finally(() => process.exit(128 + os.constants.signals[signal]));
    });
  }
  main()
    .catch((error) => {
      process.stderr.write(`${error.stack ?? error}\n`);
      process.exitCode = 1;
    })
    .finally(cleanUp);
}
