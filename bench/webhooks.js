#!/usr/bin/env node
// `npm run bench -- webhooks [--duration S] [--connections N] [--dialect sqlite|postgres|both] [--deliveries N (0 skips)] [--backlog N] [--batch N] [--profile]`
//
// Every platform figure stands beside two others measured in the same run: a raw baseline (the least the job
// takes) and a peer, the job done the way a Node engineer would do it without the platform (Fastify, BullMQ on
// the local Redis, standardwebhooks, undici). Each peer gets its own queue and key prefix, removed after the run.
//
// Ingest: GitHub-signed webhooks (a fresh X-GitHub-Delivery and HMAC per request, signed like GitHub) POSTed
// by autocannon with N connections to `POST /webhooks/ingest/{connectionId}` of `node dist/main.js`
// (APP_ROLE=VendorApiClientRegistryService,WebhookGatewayService: verify, dedupe, payload kept in the row, row
// and WebhookReceived in one transaction, 202), on the embedded default (SQLite, store bus, file blobs) and on
// PostgreSQL. Raw: a bare node:http server that only verifies the HMAC and answers 202. Peer: a Fastify 5
// server that keeps the raw body, verifies the HMAC and adds the body to a BullMQ queue (job id = delivery id)
// before answering 202.
//
// Delivery: N events published to a `*` subscription (`POST /webhooks/events`, 16 requests in flight, each an
// array of `--batch N` events, 50 unless given; `--batch 1` publishes one event per request), delivered by the
// WebhookDeliveryWorker (signed per Standard Webhooks, POSTed through the egress client) to a local receiver
// that verifies each signature; deliveries/s
// from the first publish to the last verified receipt and the lag publish -> receipt. Raw: undici POSTs of the
// same bodies. Peer: the events added to a BullMQ queue (`add`, or `addBulk` of N), delivered by a BullMQ worker
// process that signs with standardwebhooks and POSTs with undici to the same receiver.
// `--backlog N`: N events are published with no worker running, then one worker process (the platform's
// WebhookDeliveryWorker, the peer's BullMQ worker) drains them while its RSS is sampled every 500 ms: it must
// stay flat (bounded by prefetch and concurrency, not by the backlog). BENCH_DATA_ROOT puts DATA_DIR elsewhere
// (e.g. /dev/shm, to tell the disk's share from the platform's).
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
const REDIS = { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null };
/** Shares of the raw rate (and, for ingest on SQLite, of the peer's) the platform must reach. */
const GOALS = { ingest: { sqlite: 0.25, postgres: 0.12 }, ingestP99Ms: 50, ingestSqliteOfPeer: 1, publishToReceipt: 0.2, drain: 0.5 };
const MAX_BATCH = 100;
const PUBLISHERS = 16;
const DELIVERY_CONCURRENCY = 64;

function parseArgs(argv) {
  const settings = { duration: 10, connections: 64, dialect: 'both', deliveries: 5000, backlog: 0, batch: 50, profile: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--duration') settings.duration = positive(flag, value());
    else if (flag === '--connections') settings.connections = positive(flag, value());
    else if (flag === '--deliveries') settings.deliveries = count(flag, value());
    else if (flag === '--profile') settings.profile = true;
    else if (flag === '--backlog') settings.backlog = count(flag, value());
    else if (flag === '--batch') {
      settings.batch = positive(flag, value());
      if (settings.batch > MAX_BATCH) usage(`--batch is at most ${MAX_BATCH} (the platform's limit per request)`);
    } else if (flag === '--dialect') {
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
  process.stderr.write(
    `${problem}\nUsage: npm run bench -- webhooks [--duration S] [--connections N] [--dialect sqlite|postgres|both] [--deliveries N] [--backlog N] [--batch N] [--profile]\n`,
  );
  process.exit(2);
}

// --- signing, as GitHub does ---------------------------------------------------------------------------------

const PAYLOAD = JSON.stringify({ action: 'opened', number: 42, pull_request: { id: 1, title: 'Bench', body: 'x'.repeat(1500) }, repository: { full_name: 'acme/bench' } });
const githubSignature = (secret, body) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const signature = (body) => githubSignature(GITHUB_SECRET, body);

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

/** Whether `header` is GitHub's X-Hub-Signature-256 of `body` (the raw bytes) under `secret`, compared in constant time. */
function githubVerifier(secret) {
  const { timingSafeEqual } = require('node:crypto');
  return (body, header) => {
    const expected = Buffer.from(githubSignature(secret, body));
    const given = Buffer.from(String(header ?? ''));
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
}

// --- child processes: the raw baseline, the peers and the receiver (each started by forking this file) -------

const CHILDREN = {
  /** Raw ingest: verify the HMAC, answer 202. */
  '--raw-server': ({ secret }) => {
    const verify = githubVerifier(secret);
    const server = http.createServer((request, response) => {
      const chunks = [];
      request.on('data', (chunk) => chunks.push(chunk));
      request.on('end', () => {
        const valid = verify(Buffer.concat(chunks), request.headers['x-hub-signature-256']);
        response.writeHead(valid ? 202 : 401, { 'content-type': 'application/json' });
        response.end(valid ? '{"deliveryId":"raw"}' : '{"statusCode":401}');
      });
    });
    server.listen(0, '127.0.0.1', () => process.send({ url: `http://127.0.0.1:${server.address().port}` }));
    return () => server.close();
  },

  /** Peer ingest: Fastify with a JSON parser that keeps the raw bytes, the HMAC verified, the body queued in BullMQ, 202. */
  '--peer-ingest-server': ({ secret, redis }) => {
    const { Queue } = require('bullmq');
    const fastify = require('fastify')({ logger: false });
    const queue = new Queue(redis.queue, { connection: REDIS, prefix: redis.prefix });
    const verify = githubVerifier(secret);
    fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    fastify.post('/webhooks/github', async (request, reply) => {
      if (!verify(request.body, request.headers['x-hub-signature-256'])) return reply.code(401).send({ statusCode: 401 });
      const deliveryId = String(request.headers['x-github-delivery'] ?? '');
      // The delivery id as job id: a redelivered webhook is not queued twice.
      await queue.add(
        String(request.headers['x-github-event'] ?? 'unknown'),
        { deliveryId, payload: request.body.toString('utf8') },
        { jobId: deliveryId, removeOnComplete: true },
      );
      return reply.code(202).send({ deliveryId });
    });
    fastify.listen({ port: 0, host: '127.0.0.1' }).then(() => process.send({ url: `http://127.0.0.1:${fastify.server.address().port}` }));
    return async () => {
      await fastify.close();
      await queue.obliterate({ force: true });
      await queue.close();
    };
  },

  /** Peer delivery: a BullMQ worker signing with standardwebhooks and POSTing with undici. */
  '--peer-worker': ({ redis, url, secret }) => {
    const { Worker } = require('bullmq');
    const { Webhook } = require('standardwebhooks');
    const { Agent, request } = require('undici');
    const signer = new Webhook(secret);
    const agent = new Agent({ connections: DELIVERY_CONCURRENCY });
    const worker = new Worker(
      redis.queue,
      async (job) => {
        const payload = JSON.stringify(job.data);
        const sentAt = new Date();
        const headers = {
          'content-type': 'application/json',
          'webhook-id': job.data.id,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
          'webhook-signature': signer.sign(job.data.id, sentAt, payload),
        };
        const answer = await request(url, { method: 'POST', body: payload, headers, dispatcher: agent });
        await answer.body.dump();
        if (answer.statusCode >= 300) throw new Error(`The receiver answered ${answer.statusCode}`);
      },
      { connection: REDIS, prefix: redis.prefix, concurrency: DELIVERY_CONCURRENCY },
    );
    worker.waitUntilReady().then(() => process.send({ ready: true }));
    return async () => {
      await worker.close();
      await agent.close();
    };
  },

  /** The receiver of outbound deliveries: verifies every signature with the standardwebhooks library. */
  '--receiver': () => {
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
    return () => server.close();
  },
};

if (CHILDREN[process.argv[2]]) {
  const stop = CHILDREN[process.argv[2]](JSON.parse(process.argv[3] ?? '{}'));
  process.on('disconnect', async () => {
    await stop();
    process.exit(0);
  });
  return;
}

/** Forks this file as `role`; resolves with the child's first message, its pid, and `stop` (resolves once it exited, cleaned up). */
function startChild(role, config = {}) {
  const child = require('node:child_process').fork(__filename, [role, JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = () => (child.connected && child.disconnect(), exited);
  return new Promise((resolve, reject) => {
    child.once('message', (first) => resolve({ ...first, child, pid: child.pid, stop }));
    exited.then((code) => reject(new Error(`${role} exited with ${code} before it was ready`)));
  });
}

async function startReceiverProcess() {
  const receiver = await startChild('--receiver');
  const ask = (message) => new Promise((resolve) => (receiver.child.once('message', resolve), receiver.child.send(message)));
  return { ...receiver, setSecret: (secret) => receiver.child.send({ secret }), reset: () => receiver.child.send({ reset: true }), report: () => ask({ report: true }) };
}

/** A queue name and key prefix of its own for each peer case, so that cleaning up cannot touch anything else. */
function redisNamespace(use) {
  return { prefix: `bench-webhooks-${process.pid}-${randomBytes(4).toString('hex')}`, queue: `peer-${use}` };
}

/** Safety net after a run: whatever a peer left under its prefix (a crashed child) is deleted. */
async function deleteRedisKeys(prefixes) {
  const Redis = require('ioredis');
  const redis = new Redis(REDIS);
  try {
    for (const prefix of prefixes) {
      for (let cursor = '0'; ;) {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
        if (cursor === '0') break;
      }
    }
  } finally {
    redis.disconnect();
  }
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
  for (const deadline = Date.now() + 30_000; ;) {
    if (exited) throw new Error('The platform exited before it was ready');
    if (Date.now() > deadline) throw new Error('The platform was not ready within 30 s');
    const ready = await fetch(`${url}/health/ready`).then(
      (response) => response.ok,
      () => false,
    );
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
  const response = await fetch(`${url}${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
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
  const ok = result['2xx'] ?? 0;
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
  const platform = await startPlatform(
    {
      APP_ROLE: 'VendorApiClientRegistryService,WebhookGatewayService',
      DATA_DIR: dataDir,
      AUTH_JWT_SECRET: jwtSecret,
      EGRESS_ALLOW_LIST: '127.0.0.1',
      ...(dialect === 'postgres' ? { DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema } : {}),
    },
    settings.profile,
  );
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

/** Raw and peer ingest: a child process (as the platform is) loaded like the platform. */
async function childIngestCase(role, config, pathname, settings) {
  const server = await startChild(role, config);
  try {
    const rssBefore = rssMb(server.pid);
    const result = await load(server.url, githubRequests(pathname), settings);
    return { ...result, rssMb: { before: rssBefore, after: rssMb(server.pid) } };
  } finally {
    await server.stop();
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
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

/** `count` events in groups of `batch`, `concurrency` groups in flight; `publishedAt` is set as each group leaves. */
function publishEvents(count, { batch, concurrency, type, idPrefix }, publish) {
  return inParallel(Math.ceil(count / batch), concurrency, async (group) => {
    const publishedAt = Date.now();
    const first = group * batch;
    const events = Array.from({ length: Math.min(batch, count - first) }, (_, offset) => ({
      type,
      id: `${idPrefix}-${first + offset}`,
      data: { n: first + offset, publishedAt, text: 'x'.repeat(500) },
    }));
    await publish(events);
  });
}

/** The platform's publish: one event per request, or an array of them (a build without the batch form refuses arrays). */
const platformPublisher = (url, bearer) => (events) =>
  api(url, bearer, '/webhooks/events', events.length === 1 ? events[0] : events).catch((error) => {
    if (events.length > 1 && / answered 400:/.test(error.message)) error.message += '\n(this build has no batch form of POST /webhooks/events yet: run with --batch 1)';
    throw error;
  });

/** The peer's publish: `queue.add`, or `addBulk` for a batch. */
function peerPublisher(queue) {
  const options = (event) => ({ jobId: event.id, removeOnComplete: true, attempts: 5, backoff: { type: 'exponential', delay: 1000 } });
  return (events) =>
    events.length === 1
      ? queue.add(events[0].type, events[0], options(events[0]))
      : queue.addBulk(events.map((event) => ({ name: event.type, data: event, opts: options(event) })));
}

function sampleRss(pid) {
  const samples = [];
  const timer = setInterval(() => samples.push(rssMb(pid)), 500);
  return { samples, stop: () => (clearInterval(timer), samples.length === 0 && samples.push(rssMb(pid)), samples) };
}

/** Raw: undici POSTs of the bodies the deliveries carry, 64 in flight. */
async function rawPosts(settings, receiver) {
  const { request, Agent } = require('undici');
  const body = JSON.stringify({ specversion: '1.0', id: 'raw', source: 'urn:bench', type: 'bench.event', tenantid: 'bench-tenant', data: { n: 1, text: 'x'.repeat(500) } });
  const agent = new Agent({ connections: DELIVERY_CONCURRENCY });
  const posts = Math.max(settings.deliveries, 5000);
  receiver.reset();
  const started = Date.now();
  await inParallel(posts, DELIVERY_CONCURRENCY, async () => {
    const answer = await request(`${receiver.url}/raw`, { method: 'POST', body, headers: { 'content-type': 'application/json' }, dispatcher: agent });
    await answer.body.dump();
  });
  await agent.close();
  return { perSecond: posts / ((Date.now() - started) / 1000) };
}

function deliveryOutcome(report, seconds, samples) {
  return {
    perSecond: report.received / seconds,
    received: report.received,
    invalid: report.invalid,
    lagP50: percentile(report.lags, 0.5),
    lagP99: percentile(report.lags, 0.99),
    rssMb: { min: Math.min(...samples), max: Math.max(...samples) },
  };
}

/** Events published to one `*` subscription and delivered by the worker, in one platform process. */
async function platformDeliveryCase(settings, receiver) {
  const jwtSecret = randomBytes(32).toString('base64url');
  const dataDir = fs.mkdtempSync(path.join(process.env.BENCH_DATA_ROOT ?? os.tmpdir(), 'bench-deliveries-'));
  const platform = await startPlatform(
    // One receiver endpoint takes all the load here: allow it as many POSTs in flight as the raw baseline has.
    {
      APP_ROLE: 'VendorApiClientRegistryService,WebhookGatewayService,WebhookDeliveryWorker',
      DATA_DIR: dataDir,
      AUTH_JWT_SECRET: jwtSecret,
      EGRESS_ALLOW_LIST: '127.0.0.1',
      WEBHOOK_ENDPOINT_CONCURRENCY: String(DELIVERY_CONCURRENCY),
    },
    settings.profile,
  );
  try {
    const bearer = await token(jwtSecret, 'bench-tenant', 'webhooks.subscriptions.write webhooks.events.publish');
    const subscription = await api(platform.url, bearer, '/webhooks/subscriptions', { url: `${receiver.url}/hooks`, eventTypes: ['*'] });
    receiver.setSecret(subscription.secret);
    receiver.reset();
    const rss = sampleRss(platform.child.pid);
    const started = Date.now();
    await publishEvents(settings.deliveries, { batch: settings.batch, concurrency: PUBLISHERS, type: 'bench.event', idPrefix: 'bench' }, platformPublisher(platform.url, bearer));
    const report = await untilReceived(receiver, settings.deliveries, 600_000);
    return deliveryOutcome(report, (Date.now() - started) / 1000, rss.stop());
  } finally {
    await platform.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The peer: a queue on the local Redis; `publish` = add / addBulk from here, delivered by a BullMQ worker process. */
async function withPeerQueue(use, receiver, work) {
  const { Queue } = require('bullmq');
  const redis = redisNamespace(use);
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const queue = new Queue(redis.queue, { connection: REDIS, prefix: redis.prefix });
  receiver.setSecret(secret);
  receiver.reset();
  const startWorker = () => startChild('--peer-worker', { redis, url: `${receiver.url}/hooks`, secret });
  let worker;
  try {
    return await work({ queue, publish: peerPublisher(queue), startWorker: async () => (worker = await startWorker()) });
  } finally {
    await worker?.stop();
    await queue.obliterate({ force: true });
    await queue.close();
    await deleteRedisKeys([redis.prefix]);
  }
}

async function peerDeliveryCase(settings, receiver) {
  return withPeerQueue('delivery', receiver, async ({ publish, startWorker }) => {
    const worker = await startWorker();
    const rss = sampleRss(worker.pid);
    const started = Date.now();
    await publishEvents(settings.deliveries, { batch: settings.batch, concurrency: PUBLISHERS, type: 'bench.event', idPrefix: 'peer' }, publish);
    const report = await untilReceived(receiver, settings.deliveries, 600_000);
    return deliveryOutcome(report, (Date.now() - started) / 1000, rss.stop());
  });
}

/** Drains a backlog already published with a worker process started by `startWorker`, sampling the worker's RSS. */
async function drain(settings, receiver, startWorker) {
  const worker = await startWorker();
  const rss = sampleRss(worker.pid);
  const started = Date.now();
  const report = await untilReceived(receiver, settings.backlog, 3_600_000);
  const seconds = (Date.now() - started) / 1000;
  const samples = rss.stop();
  const third = Math.max(1, Math.floor(samples.length / 3));
  const mean = (values) => (values.length === 0 ? NaN : values.reduce((sum, value) => sum + value, 0) / values.length);
  return {
    drainPerSecond: report.received / seconds,
    received: report.received,
    invalid: report.invalid,
    rssMb: { first: mean(samples.slice(0, third)), middle: mean(samples.slice(third, -third)), last: mean(samples.slice(-third)), max: Math.max(...samples), samples },
  };
}

async function publishBacklog(settings, publish, idPrefix) {
  const started = Date.now();
  let published = 0;
  await publishEvents(settings.backlog, { batch: settings.batch, concurrency: 32, type: 'bench.backlog', idPrefix }, async (events) => {
    await publish(events);
    const before = published;
    published += events.length;
    if (Math.floor(published / 10_000) > Math.floor(before / 10_000)) progress(`${published} of ${settings.backlog} events published`);
  });
  return settings.backlog / ((Date.now() - started) / 1000);
}

/** Publishes `settings.backlog` events with no worker running, then drains them with a WebhookDeliveryWorker process. */
async function platformBacklogCase(settings, receiver) {
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
    const publishPerSecond = await publishBacklog(settings, platformPublisher(gateway.url, bearer), 'backlog');
    const drained = await drain(settings, receiver, async () => {
      worker = await startPlatform({ ...shared, APP_ROLE: 'WebhookDeliveryWorker', WEBHOOK_ENDPOINT_CONCURRENCY: String(DELIVERY_CONCURRENCY) }, settings.profile);
      return { pid: worker.child.pid };
    });
    return { events: settings.backlog, publishPerSecond, ...drained };
  } finally {
    await worker?.stop();
    await gateway.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function peerBacklogCase(settings, receiver) {
  return withPeerQueue('backlog', receiver, async ({ publish, startWorker }) => {
    const publishPerSecond = await publishBacklog(settings, publish, 'peer-backlog');
    return { events: settings.backlog, publishPerSecond, ...(await drain(settings, receiver, startWorker)) };
  });
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

// --- report ----------------------------------------------------------------------------------------------------

const ratio = (platform, baseline) => (baseline > 0 ? platform / baseline : NaN);
const percent = (share) => `${(share * 100).toFixed(1)} %`;
const ms = (value) => (Number.isFinite(value) ? `${value} ms` : '-');
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

function verdict(pass, goal) {
  return `${pass ? 'PASS' : 'FAIL'} (${goal})`;
}

// --- main -------------------------------------------------------------------------------------------------------

async function main() {
  const settings = parseArgs(process.argv.slice(2));
  const dialects = settings.dialect === 'both' ? ['sqlite', 'postgres'] : [settings.dialect];
  const vendor = await startVendorStub();
  const report = { settings, ingest: {} };
  const lines = [
    `Webhooks — ${settings.connections} connections, ${settings.duration} s per ingest case, batch ${settings.batch}, ${os.cpus().length} CPUs, Node ${process.version}`,
    '',
  ];
  let pass = true;

  progress(`ingest, raw baseline: ${settings.duration} s`);
  const raw = await childIngestCase('--raw-server', { secret: GITHUB_SECRET }, '/', settings);
  progress(`ingest, peer (Fastify + BullMQ): ${settings.duration} s`);
  const ingestRedis = redisNamespace('ingest');
  const peer = await childIngestCase('--peer-ingest-server', { secret: GITHUB_SECRET, redis: ingestRedis }, '/webhooks/github', settings).finally(() =>
    deleteRedisKeys([ingestRedis.prefix]),
  );
  report.ingest.raw = raw;
  report.ingest.peer = { ...peer, ofRaw: ratio(peer.perSecond, raw.perSecond) };
  const ingestRow = (name, result, ofRaw, ofPeer, goal) => [
    name,
    result.perSecond.toFixed(0),
    ms(result.p50),
    ms(result.p99),
    `${mb(result.rssMb.before)} -> ${mb(result.rssMb.after)}`,
    result.non2xx,
    ofRaw === undefined ? '' : percent(ofRaw),
    ofPeer === undefined ? '' : percent(ofPeer),
    goal ?? '',
  ];
  const ingestRows = [ingestRow('raw (node:http, verify, 202)', raw), ingestRow('peer (Fastify, verify, BullMQ add, 202)', peer, report.ingest.peer.ofRaw)];
  for (const dialect of dialects) {
    progress(`ingest, platform on ${dialect}: ${settings.duration} s`);
    const result = await ingestCase(dialect, settings, vendor);
    const ofRaw = ratio(result.perSecond, raw.perSecond);
    const ofPeer = ratio(result.perSecond, peer.perSecond);
    const met = dialect === 'sqlite' ? ofRaw >= GOALS.ingest.sqlite && result.p99 < GOALS.ingestP99Ms && ofPeer >= GOALS.ingestSqliteOfPeer : ofRaw >= GOALS.ingest.postgres;
    const goal = dialect === 'sqlite' ? `>= ${percent(GOALS.ingest.sqlite)} of raw, p99 < ${GOALS.ingestP99Ms} ms, >= peer` : `>= ${percent(GOALS.ingest.postgres)} of raw`;
    pass &&= met;
    report.ingest[dialect] = { ...result, ofRaw, ofPeer, goal, met };
    ingestRows.push(ingestRow(`platform, ${dialect}`, result, ofRaw, ofPeer, verdict(met, goal)));
  }
  lines.push(...table(['ingest', 'req/s', 'p50', 'p99', 'RSS MB', 'non-2xx', 'x raw', 'x peer', 'goal'], ingestRows));

  if (settings.deliveries > 0 || settings.backlog > 0) {
    const receiver = await startReceiverProcess();
    try {
      progress('raw undici POSTs');
      const rawPost = await rawPosts(settings, receiver);
      report.rawPosts = rawPost;
      const deliveryRow = (name, result, ofPeer, goal) => [
        name,
        result.perSecond.toFixed(0),
        ms(result.lagP50),
        ms(result.lagP99),
        `${result.received} (${result.invalid} invalid)`,
        `${mb(result.rssMb.min)} - ${mb(result.rssMb.max)}`,
        percent(ratio(result.perSecond, rawPost.perSecond)),
        ofPeer === undefined ? '' : percent(ofPeer),
        goal ?? '',
      ];
      if (settings.deliveries > 0) {
        progress(`delivery, peer (BullMQ worker): ${settings.deliveries} events`);
        const peerDelivery = await peerDeliveryCase(settings, receiver);
        progress(`delivery, platform: ${settings.deliveries} events`);
        const platform = await platformDeliveryCase(settings, receiver);
        const ofRaw = ratio(platform.perSecond, rawPost.perSecond);
        const met = ofRaw >= GOALS.publishToReceipt && platform.invalid === 0 && platform.received >= settings.deliveries;
        const goal = `publish to receipt >= ${percent(GOALS.publishToReceipt)} of raw POSTs`;
        pass &&= met;
        report.delivery = {
          raw: rawPost,
          peer: { ...peerDelivery, ofRaw: ratio(peerDelivery.perSecond, rawPost.perSecond) },
          platform: { ...platform, ofRaw, ofPeer: ratio(platform.perSecond, peerDelivery.perSecond), goal, met },
        };
        lines.push(
          '',
          ...table(
            ['delivery (publish to verified receipt)', 'deliveries/s', 'lag p50', 'lag p99', 'verified', 'RSS MB', 'x raw', 'x peer', 'goal'],
            [
              ['raw undici POSTs', rawPost.perSecond.toFixed(0)],
              deliveryRow('peer (BullMQ, standardwebhooks, undici)', peerDelivery),
              deliveryRow('platform, sqlite (one process)', platform, report.delivery.platform.ofPeer, verdict(met, goal)),
            ],
          ),
        );
      }
      if (settings.backlog > 0) {
        progress(`backlog, peer: ${settings.backlog} events published with no worker, then drained`);
        const peerBacklog = await peerBacklogCase(settings, receiver);
        progress(`backlog, platform: ${settings.backlog} events published with no worker, then drained`);
        const platform = await platformBacklogCase(settings, receiver);
        // The first third includes warm-up (64 deliveries in flight, JIT, caches); flat = no growth after it.
        const flat = (result) => result.rssMb.last <= result.rssMb.middle * 1.1 + 10;
        const ofRaw = ratio(platform.drainPerSecond, rawPost.perSecond);
        const met = ofRaw >= GOALS.drain && flat(platform) && platform.invalid === 0;
        const goal = `drain >= ${percent(GOALS.drain)} of raw POSTs, flat RSS`;
        pass &&= met;
        report.backlog = {
          raw: rawPost,
          peer: { ...peerBacklog, flat: flat(peerBacklog), ofRaw: ratio(peerBacklog.drainPerSecond, rawPost.perSecond) },
          platform: { ...platform, flat: flat(platform), ofRaw, ofPeer: ratio(platform.drainPerSecond, peerBacklog.drainPerSecond), goal, met },
        };
        const backlogRow = (name, result, ofPeer, goal) => [
          name,
          result.publishPerSecond.toFixed(0),
          result.drainPerSecond.toFixed(0),
          `${result.received} (${result.invalid} invalid)`,
          `${mb(result.rssMb.first)} / ${mb(result.rssMb.middle)} / ${mb(result.rssMb.last)}, max ${mb(result.rssMb.max)}: ${flat(result) ? 'flat' : 'GROWING'}`,
          percent(ratio(result.drainPerSecond, rawPost.perSecond)),
          ofPeer === undefined ? '' : percent(ofPeer),
          goal ?? '',
        ];
        lines.push(
          '',
          ...table(
            [`backlog of ${settings.backlog}, one worker process`, 'published/s', 'drained/s', 'verified', 'worker RSS MB by thirds of the drain', 'x raw', 'x peer', 'goal'],
            [
              ['raw undici POSTs', '', rawPost.perSecond.toFixed(0)],
              backlogRow('peer (BullMQ worker)', peerBacklog),
              backlogRow('platform (WebhookDeliveryWorker)', platform, report.backlog.platform.ofPeer, verdict(met, goal)),
            ],
          ),
        );
      }
    } finally {
      await receiver.stop();
    }
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
