#!/usr/bin/env node
// `npm run bench -- webhooks [--duration S] [--connections N] [--dialect sqlite|postgres|both] [--deliveries N (0 skips)] [--backlog N] [--profile]`
//
// Ingest: GitHub-signed webhooks (a fresh X-GitHub-Delivery and HMAC per request, signed like GitHub) POSTed
// by autocannon with N connections to `POST /webhooks/ingest/{connectionId}` of `node dist/main.js`
// (APP_ROLE=VendorApiClientRegistryService,WebhookGatewayService: verify, dedupe, blob, row and
// WebhookReceived in one transaction, 202), on the embedded default (SQLite, store bus, file blobs) and on
// PostgreSQL; beside a raw baseline in the same run: a bare node:http server that only verifies the HMAC
// and answers 202. Goal: at least 25 % of the raw rate, p99 under 50 ms.
//
// Delivery: N events published to a `*` subscription (`POST /webhooks/events`), delivered by the
// WebhookDeliveryWorker (signed per Standard Webhooks, POSTed through the egress client) to a local
// receiver that verifies each signature; deliveries/s from the first publish to the last verified receipt
// and the lag publish -> receipt, beside raw undici POSTs of the same bodies. Goal: at least 40 % of raw.
// The platform's RSS is sampled while the deliveries drain. `--backlog N`: N events are published with no
// worker running, then a WebhookDeliveryWorker process starts and drains them while its RSS is sampled
// every 500 ms: it must stay flat (bounded by prefetch and concurrency, not by the backlog). BENCH_DATA_ROOT puts DATA_DIR elsewhere (e.g.
// /dev/shm, to tell the disk's share from the platform's).
const { spawn } = require('node:child_process');
const { createHmac, randomBytes } = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const RESULTS_DIR = path.join(__dirname, 'results');
const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
const GITHUB_SECRET = `bench-${randomBytes(8).toString('hex')}`;
const GOALS = { ingestShare: 0.25, ingestP99Ms: 50, deliveryShare: 0.4 };

function parseArgs(argv) {
  const settings = { duration: 10, connections: 64, dialect: 'both', deliveries: 5000, backlog: 0, profile: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--duration') settings.duration = positive(flag, value());
    else if (flag === '--connections') settings.connections = positive(flag, value());
    else if (flag === '--deliveries') settings.deliveries = count(flag, value());
    else if (flag === '--profile') settings.profile = true;
    else if (flag === '--backlog') settings.backlog = count(flag, value());
    else if (flag === '--dialect') {
      settings.dialect = value();
      if (!['sqlite', 'postgres', 'both'].includes(settings.dialect)) usage(`--dialect is sqlite, postgres or both, got "${settings.dialect}"`);
    } else usage(`Unknown argument "${argv[i]}"`);
  }
  return settings;
}

function count(flag, raw) {
  const number = Number(raw);
  if (!Number.isInteger(number) || number < 0) usage(`${flag} needs a whole number, got "${raw}"`);
  return number;
}

function positive(flag, raw) {
  const number = Number(raw);
  if (!Number.isInteger(number) || number < 1) usage(`${flag} needs a positive integer, got "${raw}"`);
  return number;
}

function usage(problem) {
  process.stderr.write(`${problem}\nUsage: npm run bench -- webhooks [--duration S] [--connections N] [--dialect sqlite|postgres|both] [--deliveries N] [--backlog N] [--profile]\n`);
  process.exit(2);
}

// --- signing, as GitHub does ---------------------------------------------------------------------------------

const PAYLOAD = JSON.stringify({ action: 'opened', number: 42, pull_request: { id: 1, title: 'Bench', body: 'x'.repeat(1500) }, repository: { full_name: 'acme/bench' } });
const signature = (body) => `sha256=${createHmac('sha256', GITHUB_SECRET).update(body).digest('hex')}`;

function githubRequests(pathname) {
  let counter = 0;
  return [
    {
      method: 'POST',
      path: pathname,
      setupRequest: (request) => {
        counter += 1;
        const body = PAYLOAD.replace('"number":42', `"number":${counter}`);
        request.body = body;
        request.headers = {
          'content-type': 'application/json',
          'x-github-event': 'pull_request',
          'x-github-delivery': `bench-${process.pid}-${counter}-${randomBytes(4).toString('hex')}`,
          'x-hub-signature-256': signature(body),
        };
        return request;
      },
    },
  ];
}

// --- the raw baseline: verify the HMAC, answer 202 (a child process, as the platform is) ----------------------

if (process.argv[2] === '--raw-server') {
  process.env.BENCH_GITHUB_SECRET = process.argv[3];
  startRawServer(process.argv[3]).then(({ url }) => process.send({ url }));
  process.on('disconnect', () => process.exit(0));
  return;
}

// --- the receiver of outbound deliveries: verifies every signature (a child process) ------------------------

if (process.argv[2] === '--receiver') {
  const { Webhook } = require('standardwebhooks');
  let verifier;
  let received = 0;
  let invalid = 0;
  const lags = [];
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (request.url === '/raw') {
        received += 1;
      } else {
        try {
          const event = verifier.verify(body, request.headers);
          received += 1;
          if (event?.data?.publishedAt) lags.push(Date.now() - event.data.publishedAt);
        } catch {
          invalid += 1;
        }
      }
      response.writeHead(200).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  process.on('message', (message) => {
    if (message.secret) verifier = new Webhook(message.secret);
    if (message.reset) {
      received = 0;
      invalid = 0;
      lags.length = 0;
    }
    if (message.report) process.send({ received, invalid, lags });
  });
  server.listen(0, '127.0.0.1', () => process.send({ url: `http://127.0.0.1:${server.address().port}` }));
  process.on('disconnect', () => process.exit(0));
  return;
}

function startReceiverProcess() {
  const child = require('node:child_process').fork(__filename, ['--receiver'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = (message) => new Promise((resolve) => (child.once('message', resolve), child.send(message)));
  return new Promise((resolve) =>
    child.once('message', ({ url }) => resolve({ url, setSecret: (secret) => child.send({ secret }), reset: () => child.send({ reset: true }), report: () => ask({ report: true }), stop: () => child.disconnect() })),
  );
}

function startRawServerProcess() {
  const child = require('node:child_process').fork(__filename, ['--raw-server', GITHUB_SECRET], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve) => child.once('message', ({ url }) => resolve({ url, stop: () => child.disconnect() })));
}

function startRawServer(secret = GITHUB_SECRET) {
  const sign = (body) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const expected = Buffer.from(sign(body));
      const given = Buffer.from(String(request.headers['x-hub-signature-256'] ?? ''));
      const valid = given.length === expected.length && require('node:crypto').timingSafeEqual(given, expected);
      response.writeHead(valid ? 202 : 401, { 'content-type': 'application/json' });
      response.end(valid ? '{"deliveryId":"raw"}' : '{"statusCode":401}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}` })));
}

// --- the platform as `node dist/main.js` ----------------------------------------------------------------------

async function freePort() {
  const server = require('node:net').createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `profile`: the platform writes a V8 CPU profile to bench/results when it exits. */
async function startPlatform(env, profile = false) {
  const port = await freePort();
  const nodeArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${RESULTS_DIR}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'dist', 'main.js')], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'development', LOG_LEVEL: 'warn', PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  child.once('exit', () => (exited = true));
  for (const deadline = Date.now() + 30_000; ; ) {
    if (exited) throw new Error('The platform exited before it was ready');
    if (Date.now() > deadline) throw new Error('The platform was not ready within 30 s');
    const ready = await fetch(`${url}/health/ready`).then((response) => response.ok, () => false);
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, url, stop: () => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'))) };
}

async function token(secret, tenantId, scope) {
  const { SignJWT } = require('jose');
  return new SignJWT({ tenantId, scope }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('1h').sign(Buffer.from(secret, 'utf8'));
}

async function api(url, bearer, route, body) {
  const response = await fetch(`${url}${route}`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await response.json();
  if (response.status >= 300) throw new Error(`${route} answered ${response.status}: ${JSON.stringify(answer)}`);
  return answer;
}

function startVendorStub() {
  const server = http.createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}` })));
}

// --- measurement ------------------------------------------------------------------------------------------------

async function load(url, requests, settings) {
  const autocannon = require('autocannon');
  const result = await autocannon({ url, connections: settings.connections, duration: settings.duration, requests, pipelining: 1 });
  const ok = (result['2xx'] ?? 0);
  return {
    perSecond: ok / settings.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

async function ingestCase(dialect, settings, vendor) {
  const jwtSecret = randomBytes(32).toString('base64url');
  const dataDir = fs.mkdtempSync(path.join(process.env.BENCH_DATA_ROOT ?? os.tmpdir(), 'bench-webhooks-'));
  const schema = `bench_${randomBytes(4).toString('hex')}_webhooks`;
  const platform = await startPlatform({
    APP_ROLE: 'VendorApiClientRegistryService,WebhookGatewayService',
    DATA_DIR: dataDir,
    AUTH_JWT_SECRET: jwtSecret,
    EGRESS_ALLOW_LIST: '127.0.0.1',
    ...(dialect === 'postgres' ? { DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema } : {}),
  }, settings.profile);
  try {
    const bearer = await token(jwtSecret, 'bench-tenant', 'integration.credentials.write integration.connections.write');
    const credential = await api(platform.url, bearer, '/integrations/credentials', { name: 'github-webhooks', kind: 'webhook-secret', value: GITHUB_SECRET });
    const connection = await api(platform.url, bearer, '/integrations/connections', {
      providerId: 'github',
      displayName: 'bench',
      webhook: { secretCredentialId: credential.id },
      configuration: { baseUrl: vendor.url, healthPath: '/health', auth: 'none' },
    });
    progress(`connection ${connection.id} is ${connection.status}; loading`);
    const rssBefore = rssMb(platform.child.pid);
    const result = await load(platform.url, githubRequests(`/webhooks/ingest/${connection.id}`), settings);
    return { ...result, rssMb: { before: rssBefore, after: rssMb(platform.child.pid) } };
  } finally {
    await platform.stop();
    if (dialect === 'postgres') await dropSchema(schema);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function percentile(values, q) {
  const sorted = Float64Array.from(values).sort();
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

async function untilReceived(receiver, count, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const report = await receiver.report();
    if (report.received + report.invalid >= count || Date.now() > deadline) return report;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function inParallel(count, concurrency, work) {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await work(next++);
  }));
}

/** Raw: undici POSTs of the same bodies, 64 in flight. Platform: events published to one `*` subscription and delivered by the worker. */
async function deliveryCase(settings, receiver, vendor) {
  const { request, Agent } = require('undici');
  const body = JSON.stringify({ specversion: '1.0', id: 'raw', source: 'urn:bench', type: 'bench.event', tenantid: 'bench-tenant', data: { n: 1, text: 'x'.repeat(500) } });
  const agent = new Agent({ connections: 64 });
  receiver.reset();
  const rawStarted = Date.now();
  await inParallel(settings.deliveries, 64, async () => {
    const answer = await request(`${receiver.url}/raw`, { method: 'POST', body, headers: { 'content-type': 'application/json' }, dispatcher: agent });
    await answer.body.dump();
  });
  const rawPerSecond = settings.deliveries / ((Date.now() - rawStarted) / 1000);
  await agent.close();

  const jwtSecret = randomBytes(32).toString('base64url');
  const dataDir = fs.mkdtempSync(path.join(process.env.BENCH_DATA_ROOT ?? os.tmpdir(), 'bench-deliveries-'));
  const platform = await startPlatform(
    // One receiver endpoint takes all the load here: allow it as many POSTs in flight as the raw baseline has.
    {
      APP_ROLE: 'VendorApiClientRegistryService,WebhookGatewayService,WebhookDeliveryWorker',
      DATA_DIR: dataDir,
      AUTH_JWT_SECRET: jwtSecret,
      EGRESS_ALLOW_LIST: '127.0.0.1',
      WEBHOOK_ENDPOINT_CONCURRENCY: '64',
    },
    settings.profile,
  );
  try {
    const bearer = await token(jwtSecret, 'bench-tenant', 'webhooks.subscriptions.write webhooks.events.publish');
    const subscription = await api(platform.url, bearer, '/webhooks/subscriptions', { url: `${receiver.url}/hooks`, eventTypes: ['*'] });
    receiver.setSecret(subscription.secret);
    receiver.reset();
    const rssSamples = [];
    const sampler = setInterval(() => rssSamples.push(rssMb(platform.child.pid)), 500);
    const started = Date.now();
    await inParallel(settings.deliveries, 16, async (index) => {
      await api(platform.url, bearer, '/webhooks/events', { type: 'bench.event', id: `bench-${index}`, data: { n: index, publishedAt: Date.now(), text: 'x'.repeat(500) } });
    });
    const report = await untilReceived(receiver, settings.deliveries, 600_000);
    const seconds = (Date.now() - started) / 1000;
    clearInterval(sampler);
    return {
      raw: { perSecond: rawPerSecond },
      platform: { perSecond: report.received / seconds, received: report.received, invalid: report.invalid, lagP50: percentile(report.lags, 0.5), lagP99: percentile(report.lags, 0.99), rssMb: { min: Math.min(...rssSamples), max: Math.max(...rssSamples) } },
    };
  } finally {
    await platform.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Publishes `settings.backlog` events with no worker running, then drains them with a worker process, sampling its RSS. */
async function backlogCase(settings, receiver) {
  const jwtSecret = randomBytes(32).toString('base64url');
  const dataDir = fs.mkdtempSync(path.join(process.env.BENCH_DATA_ROOT ?? os.tmpdir(), 'bench-backlog-'));
  const shared = { DATA_DIR: dataDir, AUTH_JWT_SECRET: jwtSecret, EGRESS_ALLOW_LIST: '127.0.0.1', SECRETS_MASTER_KEY: randomBytes(32).toString('base64') };
  const gateway = await startPlatform({ ...shared, APP_ROLE: 'WebhookGatewayService' });
  let worker;
  try {
    const bearer = await token(jwtSecret, 'bench-tenant', 'webhooks.subscriptions.write webhooks.events.publish');
    const subscription = await api(gateway.url, bearer, '/webhooks/subscriptions', { url: `${receiver.url}/hooks`, eventTypes: ['*'] });
    receiver.setSecret(subscription.secret);
    receiver.reset();
    const publishStarted = Date.now();
    await inParallel(settings.backlog, 32, async (index) => {
      await api(gateway.url, bearer, '/webhooks/events', { type: 'bench.backlog', id: `backlog-${index}`, data: { n: index, text: 'x'.repeat(500) } });
      if ((index + 1) % 10_000 === 0) progress(`${index + 1} of ${settings.backlog} events published`);
    });
    const publishSeconds = (Date.now() - publishStarted) / 1000;
    worker = await startPlatform({ ...shared, APP_ROLE: 'WebhookDeliveryWorker', WEBHOOK_ENDPOINT_CONCURRENCY: '64' }, settings.profile);
    const samples = [];
    const sampler = setInterval(() => samples.push(rssMb(worker.child.pid)), 500);
    const drainStarted = Date.now();
    const report = await untilReceived(receiver, settings.backlog, 3_600_000);
    clearInterval(sampler);
    const third = Math.max(1, Math.floor(samples.length / 3));
    const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
    return {
      events: settings.backlog,
      publishPerSecond: settings.backlog / publishSeconds,
      drainPerSecond: report.received / ((Date.now() - drainStarted) / 1000),
      received: report.received,
      invalid: report.invalid,
      rssMb: { first: mean(samples.slice(0, third)), middle: mean(samples.slice(third, -third)), last: mean(samples.slice(-third)), max: Math.max(...samples), samples },
    };
  } finally {
    await worker?.stop();
    await gateway.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function rssMb(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
  } catch {
    return NaN;
  }
}

async function dropSchema(schema) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}

function progress(text) {
  process.stderr.write(`… ${text}\n`);
}

// --- main -------------------------------------------------------------------------------------------------------

async function main() {
  const settings = parseArgs(process.argv.slice(2));
  const dialects = settings.dialect === 'both' ? ['sqlite', 'postgres'] : [settings.dialect];
  const vendor = await startVendorStub();
  const raw = await startRawServerProcess();
  const report = { settings, ingest: {} };
  const lines = [`Webhooks — ${settings.connections} connections, ${settings.duration} s per case, ${os.cpus().length} CPUs, Node ${process.version}`, ''];

  progress(`raw baseline: ${settings.duration} s`);
  const rawIngest = await load(raw.url, githubRequests('/'), settings);
  report.ingest.raw = rawIngest;
  lines.push('ingest case              req/s     p50       p99       non-2xx');
  lines.push(`raw (verify + 202)   ${rawIngest.perSecond.toFixed(0).padStart(9)}   ${`${rawIngest.p50} ms`.padEnd(9)} ${`${rawIngest.p99} ms`.padEnd(9)} ${rawIngest.non2xx}`);
  let pass = true;
  for (const dialect of dialects) {
    progress(`platform on ${dialect}: ${settings.duration} s`);
    const result = await ingestCase(dialect, settings, vendor);
    report.ingest[dialect] = result;
    const share = result.perSecond / rawIngest.perSecond;
    const verdict = share >= GOALS.ingestShare && result.p99 < GOALS.ingestP99Ms;
    pass &&= verdict;
    lines.push(
      `platform ${dialect.padEnd(11)} ${result.perSecond.toFixed(0).padStart(9)}   ${`${result.p50} ms`.padEnd(9)} ${`${result.p99} ms`.padEnd(9)} ${result.non2xx}   ` +
        `${(share * 100).toFixed(1)} % of raw, p99 ${result.p99} ms: ${verdict ? 'PASS' : 'FAIL'} (goal >= ${GOALS.ingestShare * 100} %, p99 < ${GOALS.ingestP99Ms} ms); RSS ${result.rssMb.before.toFixed(0)} -> ${result.rssMb.after.toFixed(0)} MB`,
    );
  }
  raw.stop();

  if (settings.deliveries > 0) {
    progress(`deliveries: ${settings.deliveries} raw POSTs, then ${settings.deliveries} events through the platform`);
    const receiver = await startReceiverProcess();
    const delivery = await deliveryCase(settings, receiver, vendor);
    receiver.stop();
    report.delivery = delivery;
    const share = delivery.platform.perSecond / delivery.raw.perSecond;
    const verdict = share >= GOALS.deliveryShare && delivery.platform.invalid === 0 && delivery.platform.received >= settings.deliveries;
    pass &&= verdict;
    lines.push(
      '',
      'delivery case            deliveries/s   lag p50    lag p99    verified',
      `raw undici POSTs         ${delivery.raw.perSecond.toFixed(0).padStart(12)}`,
      `platform (sqlite)        ${delivery.platform.perSecond.toFixed(0).padStart(12)}   ${`${delivery.platform.lagP50} ms`.padEnd(10)} ${`${delivery.platform.lagP99} ms`.padEnd(10)} ${delivery.platform.received} (${delivery.platform.invalid} invalid)   ` +
        `${(share * 100).toFixed(1)} % of raw: ${verdict ? 'PASS' : 'FAIL'} (goal >= ${GOALS.deliveryShare * 100} %); RSS ${delivery.platform.rssMb.min.toFixed(0)}-${delivery.platform.rssMb.max.toFixed(0)} MB`,
    );
  }
  if (settings.backlog > 0) {
    progress(`backlog: ${settings.backlog} events published with no worker, then drained`);
    const receiver = await startReceiverProcess();
    const backlog = await backlogCase(settings, receiver);
    receiver.stop();
    report.backlog = backlog;
    // The first third includes warm-up (64 deliveries in flight, JIT, caches); flat = no growth after it.
    const flat = backlog.rssMb.last <= backlog.rssMb.middle * 1.1 + 10;
    pass &&= flat && backlog.invalid === 0;
    lines.push(
      '',
      `backlog of ${backlog.events}: published at ${backlog.publishPerSecond.toFixed(0)}/s, drained at ${backlog.drainPerSecond.toFixed(0)}/s, ${backlog.received} verified (${backlog.invalid} invalid); ` +
        `worker RSS by thirds of the drain ${backlog.rssMb.first.toFixed(0)} / ${backlog.rssMb.middle.toFixed(0)} / ${backlog.rssMb.last.toFixed(0)} MB, max ${backlog.rssMb.max.toFixed(0)} MB: ${flat ? 'FLAT' : 'GROWING'}`,
    );
  }
  vendor.server.close();
  process.stdout.write(`${lines.join('\n')}\n`);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `webhooks-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`Results: ${path.relative(ROOT, file)}\n`);
  process.exit(pass ? 0 : 1);
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
