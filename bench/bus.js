#!/usr/bin/env node
// `npm run bench -- bus [--messages N] [--dialect sqlite|postgres] [--trace]`: throughput, latency and memory of
// the store-backed message bus (dist/platform/messaging) on SQLite and on PostgreSQL, beside a raw baseline
// measured in the same run: the same rows (same columns, same payload) inserted into and deleted from
// `bus_messages` with plain better-sqlite3 / plain pg, i.e. the least work any table-backed queue must do.
//
// Every case runs in a child process of its own on a fresh store (SQLite: a new DATA_DIR; PostgreSQL: a new
// schema `bench_<random>_<case>` in 127.0.0.1:5432/test, created by the migration runner and dropped right
// after the case), so memory and warm-up do not leak from one case into the next. Per dialect:
//   raw batch, raw single   baseline, run first and again last (the baseline is the mean of the two runs)
//   bus batch cX/pY         one producer sends N messages with bus.send in batches of 100, awaiting each
//                           batch (an outbox relay or a bulk fan-out), at each consumer setting
//   bus single cX/pY        N/4 messages, one per bus.send, from 16 concurrent senders: what BusPublisher does
//                           for every command (it always sends one message), e.g. from concurrent requests
//   bus paced               single sends at a fixed rate well below capacity: latency without a backlog
// The consumer is `bus.consume({ queue: 'deliver-webhook' }, handler, { concurrency, prefetch, ... })`, its
// handler completes at once. Throughput = messages / (first send -> last completion). Latency = send time
// (in the body, set just before bus.send) -> handler start; in the flat-out cases it is mostly backlog.
// Raw: the same inserts in the same shape (pg: one INSERT ... unnest RETURNING id per batch, or one
// single-row INSERT per message from the same 16 senders; better-sqlite3: prepared statements, one
// transaction per batch or per message) while one deleter DELETEs the inserted ids in batches of up to
// 100 (pg: concurrently on the same Pool; SQLite: whenever 100 are pending).
// Every case first runs WARMUP_SHARE of its messages unmeasured, in the same shape (pools open, JIT warm).
// Goal: in each send shape, the bus at its best consumer setting reaches GOAL of the raw rate; PASS/FAIL per
// dialect. CPU per message (the case process; on PostgreSQL also its backends, found by application_name, and
// the server's background processes) and the CPU everything else used meanwhile are reported, so a busy
// machine shows. Linux only (/proc), PostgreSQL on the same machine.
const { spawn } = require('node:child_process');
const { randomBytes, randomUUID } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const RESULTS_DIR = path.join(__dirname, 'results');
const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
const QUEUE = 'deliver-webhook';
const GOAL = 0.5; // bus rate / raw rate, per dialect and send shape
const DEFAULT_MESSAGES = 20_000;
const BATCH = 100;
const SINGLE_SHARE = 4; // single-send cases carry messages / SINGLE_SHARE
const SENDERS = 16; // concurrent senders in the single-send cases
const SETTINGS = [
  { concurrency: 8, prefetch: 32 },
  { concurrency: 32, prefetch: 128 },
  { concurrency: 128, prefetch: 512 },
];
const SINGLE_SETTING = SETTINGS[1];
const PACED = { rate: 200, messages: 1_000, ...SETTINGS[0] };
const CONSUME = { maxDeliveryCount: 10, lockDurationMs: 30_000, maxLockRenewalMs: 60_000 };
const WARMUP_SHARE = 0.05; // unmeasured messages first (same shape): pools open, JIT warm, consumer running
const CASE_TIMEOUT_MS = 100_000;
const MEMORY_SAMPLE_MS = 20;
const NOISY_RAW_SPREAD = 0.25; // the two raw runs of a shape differ by more than this: the machine was busy
const TAIL_LINES = 20;
const CLOCK_TICKS = 100; // USER_HZ of /proc/stat and /proc/<pid>/stat

// ----------------------------------------------------------------------------------------------------
// Shared by parent and children: the messages the producer sends, and the rows the bus writes for them.
// ----------------------------------------------------------------------------------------------------

const TENANTS = Array.from({ length: 16 }, (_, i) => `tenant-${String(i + 1).padStart(4, '0')}`);
const EVENT_DATA = { provider: 'github', status: 'failed', attempts: 3, error: 'HTTP 503 from vendor after 3 attempts', note: 'x'.repeat(180) };

function nowMs() {
  return performance.timeOrigin + performance.now();
}

/**
 * A DeliverWebhook command as BusPublisher builds it (~0.6 kB JSON body); `sentAt` is epoch ms, fractional.
 * Its id is generated, so (like BusPublisher) it is not recorded for duplicate detection.
 */
function makeMessage(seq, sentAt, warm = false) {
  const id = randomUUID();
  const trace = randomUUID().replace(/-/g, '');
  return {
    messageId: id,
    detectDuplicates: false,
    correlationId: randomUUID(),
    subject: 'DeliverWebhook',
    tenantId: TENANTS[seq % TENANTS.length],
    traceparent: `00-${trace}-${trace.slice(8, 24)}-01`,
    contentType: 'application/json',
    body: {
      seq,
      sentAt,
      ...(warm ? { warm } : {}),
      deliveryId: id,
      subscriptionId: `sub-${seq % 97}`,
      url: `https://hooks.example.com/tenants/${seq % TENANTS.length}/integration-events`,
      event: { type: 'IntegrationFailed', id: trace, occurredAt: new Date(sentAt).toISOString(), data: { ...EVENT_DATA, runId: `run-${seq}` } },
    },
  };
}

/** Exactly what StoreMessageBus.write puts in bus_messages for a message. */
function toRow(message) {
  return require(path.join(ROOT, 'dist', 'platform', 'messaging', 'store', 'store-message-bus')).toMessageRow(message);
}

function makeBatch(first, count, warm) {
  const sentAt = nowMs();
  return Array.from({ length: count }, (_, i) => makeMessage(first + i, sentAt, warm));
}

function warmupCount(spec) {
  const count = Math.max(50, Math.round((spec.messages * WARMUP_SHARE) / spec.batch) * spec.batch);
  return spec.shape === 'paced' ? Math.min(count, spec.rate) : count;
}

/**
 * Sends `total` messages through `send(messages)` the way the case says: 'batch' = one producer, batches of
 * spec.batch awaited one after the other; 'single' = spec.senders concurrent producers, one message per call;
 * 'paced' = one message per call at spec.rate per second, not awaited (a trickle of independent requests).
 */
async function produce(spec, total, send, warm = false) {
  if (spec.shape === 'batch') {
    for (let first = 0; first < total; first += spec.batch) await send(makeBatch(first, Math.min(spec.batch, total - first), warm));
    return;
  }
  let next = 0;
  if (spec.shape === 'single') {
    const sender = async () => {
      while (next < total) {
        const seq = next++;
        await send([makeMessage(seq, nowMs(), warm)]);
      }
    };
    await Promise.all(Array.from({ length: spec.senders }, sender));
    return;
  }
  const started = nowMs();
  const interval = 1000 / spec.rate;
  const inFlight = new Set();
  while (next < total) {
    const wait = started + next * interval - nowMs();
    if (wait > 0) await sleep(wait);
    const sending = send([makeMessage(next++, nowMs(), warm)]).finally(() => inFlight.delete(sending));
    inFlight.add(sending);
  }
  await Promise.all(inFlight);
}

// ----------------------------------------------------------------------------------------------------
// Child: one case on one fresh store. Gets its spec over IPC, answers with process.send().
// ----------------------------------------------------------------------------------------------------

async function runChild(spec) {
  require('reflect-metadata');
  const { Logger } = require('@nestjs/common');
  Logger.overrideLogger(['error', 'warn']);
  require('node:v8').setFlagsFromString('--expose-gc');
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

  // The role only names the store's connections (application_name), so postgres CPU can be attributed to this case.
  const env = { ...spec.env, APP_ROLE: spec.env.DATABASE_SCHEMA ?? 'bench' };
  const database = loadOptions(DatabaseOptions, env);
  const runtime = loadOptions(RuntimeOptions, env);
  const dataSource = await new DataSource(buildDataSourceOptions(database, runtime, { entities: [], migrations: MIGRATIONS })).initialize();
  await runMigrationsExclusively(dataSource, database.url ? undefined : path.join(runtime.dataDir, 'migrate.lock'));

  const postgres = database.url ? await postgresCpu(database) : undefined;
  const probe = measurement(gc, postgres);
  try {
    if (spec.kind === 'raw') {
      await dataSource.destroy();
      const table = database.url ? rawPostgresTable(database) : rawSqliteTable(sqliteFilePath(database, runtime));
      try {
        return { ...(await rawCase(spec, table, probe)), ...probe.summary(spec.messages) };
      } finally {
        await table.close();
      }
    }
    const { createMessageBus } = dist('platform/messaging/message-bus.factory');
    const busOptions = loadOptions(BusOptions, env);
    const bus = await createMessageBus(busOptions, database, dataSource);
    try {
      return { ...(await busCase(spec, bus, busOptions, probe)), ...probe.summary(spec.messages) };
    } finally {
      await bus.close();
      await dataSource.destroy();
    }
  } finally {
    await postgres?.close();
  }
}

/**
 * Memory (after warm-up and a GC, at the end after a GC, peak of samples) and CPU of the measured window: this process,
 * the postgres processes working for it, and everything else on the machine.
 */
function measurement(gc, postgres) {
  const memory = () => {
    const { rss, heapUsed } = process.memoryUsage();
    return { rssMb: rss / 1048576, heapMb: heapUsed / 1048576 };
  };
  let before;
  let after;
  let peak;
  let timer;
  let cpuStart;
  let cpuEnd;
  const sample = () => {
    const now = memory();
    peak.rssMb = Math.max(peak.rssMb, now.rssMb);
    peak.heapMb = Math.max(peak.heapMb, now.heapMb);
    return now;
  };
  const cpu = async () => ({ ...machineCpu(), postgresTicks: postgres ? await postgres.ticks() : new Map() });
  return {
    async start() {
      gc();
      before = memory();
      peak = { ...before };
      timer = setInterval(sample, MEMORY_SAMPLE_MS);
      cpuStart = await cpu();
    },
    async stop() {
      cpuEnd = await cpu();
      clearInterval(timer);
      sample();
      gc(); // what the run left behind, not its garbage
      after = memory();
      peak.rssMb = Math.max(peak.rssMb, after.rssMb);
    },
    summary(messages) {
      const seconds = (cpuEnd.at - cpuStart.at) / 1000;
      const ownMs = (cpuEnd.ownUs - cpuStart.ownUs) / 1000;
      let postgresTicks = 0;
      for (const [pid, ticks] of cpuEnd.postgresTicks) postgresTicks += ticks - (cpuStart.postgresTicks.get(pid) ?? 0);
      const postgresMs = (postgresTicks * 1000) / CLOCK_TICKS;
      const busyMs = ((cpuEnd.busyTicks - cpuStart.busyTicks) * 1000) / CLOCK_TICKS;
      return {
        memory: { before, after, peak },
        cpu: {
          ownMsPer1k: (ownMs / messages) * 1000,
          postgresMsPer1k: postgres ? (postgresMs / messages) * 1000 : undefined,
          // Cores kept busy by everything else (other jobs on the machine, their postgres backends included).
          otherCores: Math.max(0, busyMs - ownMs - postgresMs) / 1000 / seconds,
        },
      };
    },
  };
}

/** Busy ticks of the whole machine, and this process's CPU. */
function machineCpu() {
  const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: busy = user + nice + system + irq + softirq
  const busyTicks = fields[0] + fields[1] + fields[2] + fields[5] + fields[6];
  const own = process.cpuUsage();
  return { at: nowMs(), busyTicks, ownUs: own.user + own.system };
}

/**
 * CPU ticks of the postgres processes working for this case: the backends whose application_name ends with
 * the case's schema (the store's pool, the bus listener, the raw pool) and the server's background
 * processes (WAL writer, checkpointer, ...), not other clients' backends. Read from /proc: same machine only.
 */
async function postgresCpu(database) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: database.url, application_name: 'bench-bus-probe' });
  await client.connect();
  return {
    async ticks() {
      const { rows } = await client.query(`SELECT pid FROM pg_stat_activity WHERE backend_type <> 'client backend' OR right(application_name, length($1)) = $1`, [database.schema]);
      const ticks = new Map();
      for (const { pid } of rows) {
        try {
          const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
          const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          ticks.set(pid, Number(rest[11]) + Number(rest[12])); // utime + stime
        } catch {
          // gone meanwhile, or not on this machine
        }
      }
      return ticks;
    },
    close: () => client.end(),
  };
}

/**
 * Counts (with --trace: and times) the bus's calls into its table store: the BusTableStore methods and any
 * other public method named like them (a batched `completeMany` added later is counted too).
 */
function instrumentStore(bus, trace) {
  const store = bus.store;
  const calls = {};
  if (!store) return calls;
  const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(store)).filter(
    (name) => typeof store[name] === 'function' && /^(insert|claim|complete|abandon|deadLetter|renew|release|nextVisibleIn|notify)/.test(name),
  );
  for (const method of methods) {
    const original = store[method].bind(store);
    const entry = (calls[method] = { calls: 0 });
    if (!trace) {
      store[method] = (...args) => {
        entry.calls += 1;
        return original(...args);
      };
      continue;
    }
    entry.ms = 0;
    store[method] = (...args) => {
      entry.calls += 1;
      const started = performance.now();
      const stop = () => (entry.ms += performance.now() - started);
      const result = original(...args);
      if (typeof result?.then !== 'function') {
        stop();
        return result;
      }
      return result.finally(stop);
    };
  }
  return calls;
}

async function busCase(spec, bus, busOptions, probe) {
  const total = spec.messages;
  const storeCalls = instrumentStore(bus, spec.trace);
  const latencies = new Float64Array(total);
  const seen = new Uint8Array(total);
  const warmup = warmupCount(spec);
  let warmed = 0;
  let warm;
  const warmDone = new Promise((resolve) => (warm = resolve));
  let deliveries = 0;
  let completed = 0;
  let lastCompletion = 0;
  let finished;
  const done = new Promise((resolve) => (finished = resolve));

  const consumer = await bus.consume(
    { queue: QUEUE },
    async (message, settlement) => {
      const started = nowMs();
      if (message.body.warm) {
        await settlement.complete();
        if (++warmed >= warmup) warm();
        return;
      }
      deliveries += 1;
      const { seq, sentAt } = message.body;
      if (seen[seq]++ === 0) latencies[seq] = started - sentAt;
      await settlement.complete();
      completed += 1;
      lastCompletion = nowMs();
      if (completed >= total) finished();
    },
    { concurrency: spec.concurrency, prefetch: spec.prefetch, ...CONSUME },
  );

  await produce(spec, warmup, (messages) => bus.send(QUEUE, messages), true);
  if (await Promise.race([warmDone.then(() => false), sleep(spec.timeoutMs / 4).then(() => true)])) {
    throw new Error(`warm-up: ${warmed} of ${warmup} messages handled within ${spec.timeoutMs / 4000} s`);
  }

  for (const entry of Object.values(storeCalls)) {
    entry.calls = 0;
    if (entry.ms !== undefined) entry.ms = 0;
  }

  await probe.start();
  const firstSend = nowMs();
  await produce(spec, total, (messages) => bus.send(QUEUE, messages));
  const lastSend = nowMs();
  const timedOut = await Promise.race([done.then(() => false), sleep(spec.timeoutMs).then(() => true)]);
  await probe.stop();
  await consumer.close();
  const left = await bus.depth({ queue: QUEUE });

  const handled = seen.reduce((n, count) => n + (count > 0 ? 1 : 0), 0);
  let failure;
  if (timedOut) failure = `${handled} of ${total} messages handled within ${spec.timeoutMs / 1000} s`;
  else if (left !== 0) failure = `${left} messages left in the queue after all were handled`;
  return {
    failure,
    messages: total,
    elapsedMs: lastCompletion - firstSend,
    sendMs: lastSend - firstSend,
    rate: (total / (lastCompletion - firstSend)) * 1000,
    latencyMs: timedOut ? undefined : percentiles(latencies),
    deliveries,
    redelivered: deliveries - handled,
    storeCalls,
    busSettings: { pollIntervalMs: busOptions.pollIntervalMs, duplicateDetectionWindowMs: busOptions.duplicateDetectionWindowMs },
  };
}

/**
 * The raw queue: rows go in as the producer shapes them, a deleter removes them by id in batches of up to
 * spec.batch. With a synchronous table (SQLite) the deleter runs whenever a batch is pending; otherwise it
 * is a loop of its own, running while the producer inserts.
 */
async function rawCase(spec, table, probe) {
  const pass = async (total, warm) => {
    const pending = [];
    let deleted = 0;
    let produced = false;
    let wake;
    const deleter = async () => {
      while (true) {
        if (pending.length === 0) {
          if (produced) return;
          await new Promise((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        deleted += await table.remove(pending.splice(0, spec.batch));
      }
    };
    const send = async (messages) => {
      const ids = await table.insert(messages.map(toRow));
      for (const id of ids) pending.push(id);
      if (table.synchronous) {
        while (pending.length >= spec.batch) deleted += table.remove(pending.splice(0, spec.batch));
      } else wake?.();
    };
    const deleting = table.synchronous ? Promise.resolve() : deleter();
    await produce(spec, total, send, warm);
    produced = true;
    wake?.();
    await deleting;
    if (pending.length > 0) deleted += await table.remove(pending.splice(0));
    return deleted;
  };

  await pass(warmupCount(spec), true);
  await probe.start();
  const started = nowMs();
  const deleted = await pass(spec.messages, false);
  const elapsedMs = nowMs() - started;
  await probe.stop();
  const left = await table.count();
  return {
    failure: left === 0 && deleted === spec.messages ? undefined : `${left} rows left, ${deleted} deleted`,
    messages: spec.messages,
    elapsedMs,
    rate: (spec.messages / elapsedMs) * 1000,
  };
}

function rawSqliteTable(file) {
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
  const insertRows = db.transaction((rows) => {
    const now = Date.now();
    return rows.map(
      (r) => insert.run(QUEUE, r.messageId, r.correlationId, r.subject, r.tenantId, r.traceparent, r.contentType, r.properties, r.body, now, r.visibleAt ?? now).lastInsertRowid,
    );
  });
  const removeIds = db.transaction((ids) => ids.reduce((n, id) => n + remove.run(id).changes, 0));
  return {
    synchronous: true,
    insert: (rows) => insertRows.immediate(rows),
    remove: (ids) => removeIds.immediate(ids),
    count: () => db.prepare('SELECT count(*) AS n FROM bus_messages').get().n,
    close: () => db.close(),
  };
}

function rawPostgresTable(database) {
  const { Pool } = require('pg');
  // The pool the platform builds for the store (size, search_path).
  const pool = new Pool({
    connectionString: database.url,
    max: database.poolSize,
    options: `-c search_path="${database.schema}"`,
    application_name: `bench-raw:${database.schema}`,
  });
  const NOW = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;
  const columns = 'entity, message_id, correlation_id, subject, tenant_id, traceparent, content_type, properties, body, enqueued_at, delivery_count, visible_at';
  const keys = ['messageId', 'correlationId', 'subject', 'tenantId', 'traceparent', 'contentType', 'properties', 'body', 'visibleAt'];
  const insertMany = `INSERT INTO bus_messages (${columns})
    SELECT $10, t.message_id, t.correlation_id, t.subject, t.tenant_id, t.traceparent, t.content_type, t.properties, t.body, ${NOW}, 0, COALESCE(t.visible_at, ${NOW})
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[])
      AS t(message_id, correlation_id, subject, tenant_id, traceparent, content_type, properties, body, visible_at)
    RETURNING id`;
  const insertOne = `INSERT INTO bus_messages (${columns})
    VALUES ($10, $1, $2, $3, $4, $5, $6, $7, $8, ${NOW}, 0, COALESCE($9::bigint, ${NOW})) RETURNING id`;
  return {
    synchronous: false,
    async insert(rows) {
      const params = rows.length === 1 ? keys.map((key) => rows[0][key]) : keys.map((key) => rows.map((row) => row[key]));
      const result = await pool.query(rows.length === 1 ? insertOne : insertMany, [...params, QUEUE]);
      return result.rows.map((row) => row.id);
    },
    async remove(ids) {
      return (await pool.query('DELETE FROM bus_messages WHERE id = ANY($1::bigint[])', [ids])).rowCount;
    },
    async count() {
      return (await pool.query('SELECT count(*)::int AS n FROM bus_messages')).rows[0].n;
    },
    close: () => pool.end(),
  };
}

function percentiles(values) {
  const sorted = Float64Array.from(values).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1] };
}

// ----------------------------------------------------------------------------------------------------
// Parent: arguments, stores, one child per case, verdicts, report.
// ----------------------------------------------------------------------------------------------------

// Cleaned up however the benchmark ends (schemas asynchronously, before exiting).
const running = new Set();
const tempDirs = new Set();
const schemas = new Set();
let stopping = false; // set on SIGINT/SIGTERM: no new case starts (it would create a schema after the clean-up)

function parseArgs(argv) {
  const options = { messages: DEFAULT_MESSAGES, dialects: ['sqlite', 'postgres'], trace: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    if (flag === '--trace') {
      options.trace = true;
      continue;
    }
    if (flag !== '--messages' && flag !== '--dialect') usage(`Unknown argument "${argv[i]}"`);
    const value = inline ?? argv[++i];
    if (flag === '--messages') {
      options.messages = Number(value);
      if (!Number.isInteger(options.messages) || options.messages < BATCH * SINGLE_SHARE) {
        usage(`--messages needs an integer of at least ${BATCH * SINGLE_SHARE}, got "${value}"`);
      }
    } else if (flag === '--dialect') {
      if (value !== 'sqlite' && value !== 'postgres') usage(`--dialect is sqlite or postgres, got "${value}"`);
      options.dialects = [value];
    }
  }
  return options;
}

function usage(problem) {
  process.stderr.write(
    `${problem}\nUsage: npm run bench -- bus [--messages N] [--dialect sqlite|postgres] [--trace]\n` +
      `  N messages per batched case (default ${DEFAULT_MESSAGES}; single-send cases N/${SINGLE_SHARE}); --trace also times the bus's store calls\n`,
  );
  process.exit(2);
}

/** The cases of one dialect, in the order they run (raw first and last, so slow drift hits both sides). */
function casesFor(dialect, options) {
  const common = { dialect, batch: BATCH, trace: options.trace, timeoutMs: CASE_TIMEOUT_MS - 20_000 };
  const batch = { ...common, shape: 'batch', messages: options.messages };
  const single = { ...common, shape: 'single', messages: Math.floor(options.messages / SINGLE_SHARE), senders: SENDERS };
  const setting = (s) => `c${s.concurrency}/p${s.prefetch}`;
  return [
    { ...batch, kind: 'raw', name: 'raw batch', round: 1 },
    { ...single, kind: 'raw', name: 'raw single', round: 1 },
    ...SETTINGS.map((s) => ({ ...batch, kind: 'bus', name: `bus batch ${setting(s)}`, ...s })),
    { ...single, kind: 'bus', name: `bus single ${setting(SINGLE_SETTING)}`, ...SINGLE_SETTING },
    { ...common, shape: 'paced', kind: 'bus', name: `bus paced ${PACED.rate}/s ${setting(PACED)}`, ...PACED },
    { ...single, kind: 'raw', name: 'raw single', round: 2 },
    { ...batch, kind: 'raw', name: 'raw batch', round: 2 },
  ];
}

/** A fresh store for one case: its own DATA_DIR and, on PostgreSQL, its own schema. */
function storeEnv(dialect, tempRoot, runId, tag) {
  const dataDir = path.join(tempRoot, tag);
  fs.mkdirSync(dataDir, { recursive: true });
  const env = { DATA_DIR: dataDir, NODE_ENV: 'development' };
  if (dialect === 'postgres') {
    const schema = `bench_${runId}_${tag}`;
    schemas.add(schema);
    Object.assign(env, { DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema });
  }
  return env;
}

function runCase(spec) {
  return new Promise((resolve) => {
    if (stopping) return resolve({ failure: 'stopped' });
    const tail = [];
    // Only what Node needs: DATABASE_URL or BUS_* in the caller's shell must not change what is measured.
    const child = spawn(process.execPath, [__filename, '--child'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    running.add(child);
    let warnings = 0;
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        for (const line of chunk.split('\n')) {
          if (!line.trim()) continue;
          if (/\bWARN\b|\bERROR\b/.test(line)) warnings += 1;
          remember(tail, line);
        }
      });
    }
    let result;
    child.on('message', (message) => (result = message));
    // A child that dies before it reads its spec (e.g. killed by Ctrl-C) makes send() fail: recorded, not thrown.
    child.on('error', (error) => (result ??= { error: `child process: ${error.message}` }));
    const timeout = setTimeout(() => child.kill('SIGKILL'), CASE_TIMEOUT_MS);
    child.once('close', (code, signal) => {
      clearTimeout(timeout);
      running.delete(child);
      if (result?.error) resolve({ failure: result.error.split('\n')[0], tail: [...result.error.split('\n').slice(1, 6), ...tail] });
      else if (!result) resolve({ failure: `child ended without a result (${signal ? `signal ${signal}` : `exit code ${code}`})`, tail });
      else resolve({ ...result, warnings, tail: result.failure || warnings > 0 ? tail : undefined });
    });
    child.send(spec);
  });
}

async function withPostgres(work) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function postgresInfo() {
  try {
    return await withPostgres(async (client) => {
      const { rows } = await client.query(
        `SELECT current_setting('server_version') AS version, current_setting('autovacuum') AS autovacuum,
                current_setting('synchronous_commit') AS sync, current_setting('fsync') AS fsync`,
      );
      const r = rows[0];
      return { text: `PostgreSQL ${r.version.split(' ')[0]} local (autovacuum ${r.autovacuum}, fsync ${r.fsync}, synchronous_commit ${r.sync})` };
    });
  } catch (error) {
    return { unreachable: `PostgreSQL at ${POSTGRES_URL} not reachable: ${error.message}` };
  }
}

async function measureDialect(dialect, options, tempRoot, runId) {
  const cases = [];
  for (const [index, spec] of casesFor(dialect, options).entries()) {
    if (stopping) break;
    const began = Date.now();
    const env = storeEnv(dialect, tempRoot, runId, `${dialect[0]}${index}`);
    const result = await runCase({ ...spec, env });
    fs.rmSync(env.DATA_DIR, { recursive: true, force: true });
    if (dialect === 'postgres') await dropSchemas();
    const seconds = ((Date.now() - began) / 1000).toFixed(1);
    process.stderr.write(`  ${dialect.padEnd(8)} ${spec.name.padEnd(26)} ${seconds.padStart(5)} s${result.failure ? `  FAIL: ${result.failure}` : ''}\n`);
    if (result.tail?.length) process.stderr.write(`${result.tail.map((line) => `      | ${line}`).join('\n')}\n`);
    const { tail: _tail, ...kept } = result;
    cases.push({ spec, result: kept });
  }
  return judge(dialect, cases);
}

/** Per send shape: the raw rate (mean of its runs) against the bus at its best consumer setting. */
function judge(dialect, cases) {
  const reasons = [];
  const shapes = [];
  for (const c of cases) if (c.result.failure) reasons.push(`${c.spec.name}: ${c.result.failure}`);
  for (const shape of ['batch', 'single']) {
    const raws = cases.filter((c) => c.spec.kind === 'raw' && c.spec.shape === shape && !c.result.failure).map((c) => c.result.rate);
    const buses = cases.filter((c) => c.spec.kind === 'bus' && c.spec.shape === shape && !c.result.failure);
    const baseline = raws.length > 0 ? raws.reduce((a, b) => a + b, 0) / raws.length : undefined;
    const spread = raws.length > 1 ? (Math.max(...raws) - Math.min(...raws)) / Math.max(...raws) : 0;
    const best = buses.length > 0 ? buses.reduce((a, b) => (b.result.rate > a.result.rate ? b : a)) : undefined;
    const ratio = best && baseline ? best.result.rate / baseline : undefined;
    if (baseline === undefined) reasons.push(`${shape}: no raw baseline`);
    else if (ratio === undefined) reasons.push(`${shape}: no bus result`);
    else if (ratio < GOAL) reasons.push(`${shape} sends ${pct(ratio)} < ${pct(GOAL)}`);
    shapes.push({ shape, baseline, spread, noisy: spread > NOISY_RAW_SPREAD, best: best?.spec.name, ratio });
  }
  return { dialect, verdict: reasons.length > 0 ? 'FAIL' : 'PASS', reasons, shapes, cases };
}

function printReport({ machine, options, dialects, totalMs }) {
  const header = [
    'dialect',
    'case',
    'msgs',
    'msg/s',
    '% raw',
    'latency ms p50 / p95 / p99 / max',
    'RSS MB before/after/peak',
    'heap MB before/after/peak',
    'CPU ms/1k node+pg',
    'other cores',
    'notes',
  ];
  const rows = [];
  for (const d of dialects) {
    if (d.cases.length === 0) rows.push([d.dialect, '-', '-', '-', '-', '-', '-', '-', '-', '-', `FAIL: ${d.failure}`]);
    for (const { spec, result: r } of d.cases) {
      const shape = d.shapes.find((x) => x.shape === spec.shape);
      const m = r.memory;
      const notes = [];
      if (r.failure) notes.push(`FAIL: ${r.failure}`);
      if (r.redelivered) notes.push(`${r.redelivered} redelivered`);
      if (r.warnings) notes.push(`${r.warnings} warnings logged`);
      if (spec.kind === 'bus' && r.sendMs !== undefined && spec.shape !== 'paced') notes.push(`sends done ${s(r.sendMs)} s of ${s(r.elapsedMs)} s`);
      if (spec.shape === 'paced') notes.push('offered load, not capacity');
      let share = '-';
      if (spec.kind === 'raw') share = 'base';
      else if (spec.shape !== 'paced' && r.rate && shape?.baseline) share = pct(r.rate / shape.baseline);
      rows.push([
        d.dialect,
        spec.name,
        spec.messages.toLocaleString('en-US'),
        r.rate ? Math.round(r.rate).toLocaleString('en-US') : '-',
        share,
        r.latencyMs ? [r.latencyMs.p50, r.latencyMs.p95, r.latencyMs.p99, r.latencyMs.max].map(ms).join(' / ') : '-',
        m ? [m.before.rssMb, m.after.rssMb, m.peak.rssMb].map(mb).join(' / ') : '-',
        m ? [m.before.heapMb, m.after.heapMb, m.peak.heapMb].map(mb).join(' / ') : '-',
        r.cpu ? `${Math.round(r.cpu.ownMsPer1k)}${r.cpu.postgresMsPer1k === undefined ? '' : ` + ${Math.round(r.cpu.postgresMsPer1k)}`}` : '-',
        r.cpu ? r.cpu.otherCores.toFixed(2) : '-',
        notes.join('; '),
      ]);
    }
  }
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => String(row[i]).length)));
  const numeric = new Set([2, 3, 4, 5, 6, 7, 8, 9]);
  const format = (row) =>
    row
      .map((cell, i) => (numeric.has(i) ? String(cell).padStart(widths[i]) : String(cell).padEnd(widths[i])))
      .join('  ')
      .trimEnd();

  const verdicts = dialects.map((d) => {
    if (d.cases.length === 0) return `${d.dialect.padEnd(8)} FAIL: ${d.failure}`;
    const shapes = d.shapes.map((x) => {
      const base = x.baseline ? `${Math.round(x.baseline).toLocaleString('en-US')} msg/s` : '-';
      const noisy = x.noisy ? ` (raw runs differ by ${pct(x.spread)}: busy machine, rerun)` : '';
      return `${x.shape} ${x.ratio !== undefined ? pct(x.ratio) : '-'} of raw ${base}${noisy}`;
    });
    return `${d.dialect.padEnd(8)} ${d.verdict}  ${shapes.join(', ')}  (goal ≥ ${pct(GOAL)} in each)${d.reasons.length ? `; ${d.reasons.join('; ')}` : ''}`;
  });

  const calls = [];
  for (const d of dialects) {
    for (const { spec, result } of d.cases) {
      if (spec.kind !== 'bus' || !result.storeCalls) continue;
      const parts = Object.entries(result.storeCalls)
        .filter(([, entry]) => entry.calls > 0)
        .map(([name, entry]) => `${name} ${entry.calls}${entry.ms !== undefined ? ` (${Math.round(entry.ms)} ms summed)` : ''}`);
      calls.push(`  ${d.dialect.padEnd(8)} ${spec.name.padEnd(26)} ${parts.join(', ')}`);
    }
  }

  const out = [
    '',
    `Machine: ${machine.cpu}, ${machine.cpus} CPUs, ${machine.memGb} GB, Node ${machine.node}, ${machine.platform}`,
    ...(machine.postgres ? [`Store:   SQLite WAL synchronous=NORMAL; ${machine.postgres}`] : []),
    `Queue ${QUEUE}, ~${machine.bodyBytes} B JSON bodies. batch = one producer, bus.send of ${BATCH} messages awaited in turn;`,
    `single = ${SENDERS} concurrent senders, one message per bus.send (BusPublisher's shape); paced = ${PACED.rate} single sends/s`,
    '',
    format(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(format),
    '',
    ...verdicts,
    '',
    `Store calls of the bus${options.trace ? ' (time summed over concurrent calls, pool waits included)' : ''}:`,
    ...calls,
    '',
    'msg/s       = messages / (first send -> last completion); raw = same rows INSERTed in the same shape and DELETEd by id in batches',
    '              of up to 100, no bus; % raw against the mean of the two raw runs of that shape (before and after the bus cases)',
    'latency     = send time in the body -> handler start; flat-out cases are mostly backlog, the paced case is the idle-path latency',
    `memory      = the case's own process: after warm-up and a GC / at the end after a GC / peak of ${MEMORY_SAMPLE_MS} ms samples`,
    "CPU         = CPU ms per 1,000 messages: the case process + (PostgreSQL) its backends and the server's background processes;",
    '              other cores = CPU everything else used meanwhile (other jobs on the machine: above ~0.3 the case was disturbed)',
    `every case first runs ${Math.round(WARMUP_SHARE * 100)} % of its messages unmeasured (pools open, JIT warm), then measures`,
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

function remember(lines, line) {
  lines.push(line);
  if (lines.length > TAIL_LINES) lines.shift();
}

function sleep(duration) {
  return new Promise((resolve) => setTimeout(resolve, duration).unref());
}

async function dropSchemas() {
  // Only names this run generated.
  const mine = [...schemas].filter((schema) => /^bench_[0-9a-f]{8}_[a-z][0-9]+$/.test(schema));
  if (mine.length === 0) return;
  try {
    await withPostgres(async (client) => {
      for (const schema of mine) {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        schemas.delete(schema);
      }
    });
  } catch (error) {
    process.stderr.write(`Could not drop schemas ${mine.join(', ')}: ${error.message}\n`);
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
  const postgres = options.dialects.includes('postgres') ? await postgresInfo() : undefined;
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.cpus().length,
    memGb: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    postgres: postgres?.text,
    bodyBytes: Buffer.byteLength(toRow(makeMessage(12345, nowMs())).body),
  };

  process.stderr.write(`Store bus vs raw table (${options.dialects.join(', ')}): ${casesFor('sqlite', options).length} cases per dialect, one process each...\n`);
  const dialects = [];
  for (const dialect of options.dialects) {
    if (dialect === 'postgres' && postgres.unreachable) dialects.push({ dialect, verdict: 'FAIL', failure: postgres.unreachable, cases: [], shapes: [] });
    else dialects.push(await measureDialect(dialect, options, tempRoot, runId));
  }
  if (stopping) return; // interrupted: the signal handler cleans up and exits; no partial report
  const totalMs = Number(process.hrtime.bigint() - began) / 1e6;
  printReport({ machine, options, dialects, totalMs });

  const file = writeResults({
    startedAt,
    machine,
    options: { ...options, batch: BATCH, singleShare: SINGLE_SHARE, senders: SENDERS, queue: QUEUE, settings: SETTINGS, paced: PACED, consume: CONSUME },
    goal: { busOverRaw: GOAL },
    units: { memory: 'MiB', latency: 'ms', cpu: 'ms per 1,000 messages' },
    totalMs,
    dialects: dialects.map((d) => ({ ...d, cases: d.cases.map(({ spec, result }) => ({ spec: { ...spec, env: undefined }, result })) })),
  });
  process.stdout.write(`Results: ${path.relative(ROOT, file)}\n`);
  process.exitCode = dialects.some((d) => d.verdict !== 'PASS') ? 1 : 0;
}

if (process.argv[2] === '--child') {
  // One case: the spec arrives over IPC; the parent going away ends the child.
  process.on('disconnect', () => process.exit(1));
  process.once('message', (spec) => {
    runChild(spec)
      .then((result) => process.send(result, () => process.exit(0)))
      .catch((error) => process.send({ error: String(error?.stack ?? error) }, () => process.exit(1)));
  });
} else {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      stopping = true;
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
