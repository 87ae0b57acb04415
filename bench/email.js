#!/usr/bin/env node
// `npm run bench -- email [--messages N] [--direct N] [--concurrency C] [--pool P]`: SendEmail commands through
// the platform (the bus command recorded as a message, sent on a governed SMTP connection: a run per send,
// budgets, breaker, the pooled transport over policy-checked sockets) to their receipt at a local SMTP server,
// beside nodemailer sending the same messages straight to the same server, in one run.
//
// The SMTP server (smtp-server, AUTH PLAIN, no TLS) runs in a child process and timestamps each message it
// receives. The platform runs in this process (VendorApiClientRegistryService + EmailIntegrationService,
// embedded defaults: SQLite, store-backed bus). Both sides use a pool of P SMTP connections.
//   direct     nodemailer's pooled transport, C sends in flight
//   platform   N SendEmail commands published on the bus; emails/s from the first command to the last receipt,
//              latency from each command's publication to its receipt; heap (after GC) sampled as they arrive
// Goals (issue 15): emails/s >= 50 % of direct; flat memory over 20,000 messages.
const { fork } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const os = require('node:os');
const v8 = require('node:v8');
const vm = require('node:vm');
const { parseBenchArgs } = require('./fixtures/bench-args');
const { percentiles, startBenchPlatform, writeResults } = require('./fixtures/bench-platform');

const GOALS = { throughputShare: 0.5, heapGrowthMb: 16 };
const USER = 'bench';
const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;

// --- the SMTP server (child process) -------------------------------------------------------------------------

if (process.argv[2] === '--server') {
  const { SMTPServer } = require('smtp-server');
  const password = process.argv[3];
  /** run tag → (message index → receipt time, epoch ms) */
  const receipts = new Map();
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authMethods: ['PLAIN', 'LOGIN'],
    size: 1024 * 1024,
    logger: false,
    onAuth: (auth, _session, callback) =>
      auth.username === 'bench' && auth.password === password ? callback(null, { user: 'bench' }) : callback(new Error('Invalid credentials')),
    onData: (stream, _session, callback) => {
      let head = '';
      stream.on('data', (chunk) => {
        if (head.length < 4096) head += chunk.toString('latin1');
      });
      stream.on('end', () => {
        const match = /^Subject: bench-(\w+)-(\d+)\r?$/m.exec(head);
        if (match) {
          const times = receipts.get(match[1]) ?? new Map();
          times.set(Number(match[2]), Date.now());
          receipts.set(match[1], times);
        }
        callback();
      });
    },
  });
  server.listen(0, '127.0.0.1', () => process.send({ port: server.server.address().port }));
  process.on('message', ({ tag }) => {
    const times = receipts.get(tag) ?? new Map();
    process.send({ tag, count: times.size, times: [...times] });
  });
  process.on('disconnect', () => process.exit(0));
  return;
}

// --- arguments -----------------------------------------------------------------------------------------------

const parseArgs = (argv) =>
  parseBenchArgs(argv, { messages: 20_000, direct: 5_000, concurrency: 32, pool: 4 }, 'npm run bench -- email [--messages N] [--direct N] [--concurrency C] [--pool P]');

// --- helpers -------------------------------------------------------------------------------------------------

const message = (tag, index) => ({
  from: 'bench@platform.example',
  to: ['someone@receiver.example'],
  subject: `bench-${tag}-${index}`,
  text: `Message ${index} of the email benchmark.\n${'Lorem ipsum dolor sit amet. '.repeat(20)}`,
});

function receiptsOf(server, tag) {
  return new Promise((resolve) => {
    const onMessage = (answer) => {
      if (answer.tag !== tag) return;
      server.off('message', onMessage);
      resolve(answer);
    };
    server.on('message', onMessage);
    server.send({ tag });
  });
}

async function waitForReceipts(server, tag, count, onProgress) {
  for (;;) {
    const answer = await receiptsOf(server, tag);
    onProgress?.(answer.count);
    if (answer.count >= count) return answer;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc');
const heapMb = () => {
  collectGarbage();
  return process.memoryUsage().heapUsed / 1048576;
};

// --- main ----------------------------------------------------------------------------------------------------

async function main() {
  const settings = parseArgs(process.argv.slice(2));
  const server = fork(__filename, ['--server', PASSWORD], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { port } = await new Promise((resolve, reject) => {
    server.once('message', resolve);
    server.once('exit', (code) => reject(new Error(`The SMTP server exited with ${code}`)));
  });

  // Direct: nodemailer's pool straight to the server.
  const nodemailer = require('nodemailer');
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: settings.pool,
    maxMessages: Infinity,
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    auth: { user: USER, pass: PASSWORD },
  });
  const directStarted = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: settings.concurrency }, async () => {
      while (next < settings.direct) {
        const index = next++;
        await transport.sendMail(message('direct', index));
      }
    }),
  );
  await waitForReceipts(server, 'direct', settings.direct);
  const directRate = settings.direct / ((Date.now() - directStarted) / 1000);
  transport.close();

  // The platform: SendEmail commands on the bus.
  const platform = await startBenchPlatform({
    appRole: 'VendorApiClientRegistryService,EmailIntegrationService',
    credential: { name: 'bench-smtp', value: `${USER}:${PASSWORD}` },
    connection: { providerId: 'smtp', displayName: 'bench SMTP server', configuration: { host: '127.0.0.1', port, security: 'none', maxConnections: settings.pool } },
    env: { EMAIL_CONCURRENCY: String(settings.concurrency), MESSAGE_MAX_ATTEMPTS: '3' },
  });
  const { BusPublisher } = require('../dist/platform/messaging/bus-publisher');
  const publisher = platform.app.get(BusPublisher);
  const tenantId = 'bench-tenant';
  const heap = [{ received: 0, heapMb: heapMb() }];
  const published = new Float64Array(settings.messages);
  const platformStarted = Date.now();
  const publishing = (async () => {
    for (let index = 0; index < settings.messages; index++) {
      published[index] = Date.now();
      await publisher.send('SendEmail', { connectionId: platform.connectionId, ...message('platform', index) }, { tenantId });
    }
  })();
  let nextSample = settings.messages / 8;
  const received = await waitForReceipts(server, 'platform', settings.messages, (count) => {
    if (count >= nextSample) {
      heap.push({ received: count, heapMb: heapMb() });
      nextSample += settings.messages / 8;
    }
  });
  await publishing;
  const platformSeconds = (Math.max(...received.times.map(([, time]) => time)) - platformStarted) / 1000;
  const platformRate = settings.messages / platformSeconds;
  const latencies = received.times.map(([index, time]) => time - published[index]);
  const rss = process.memoryUsage().rss / 1048576;
  await platform.close();
  server.disconnect();

  const t = percentiles(latencies);
  const share = platformRate / directRate;
  const settled = heap.filter((sample) => sample.received >= settings.messages / 4);
  const heapGrowth = settled.length >= 2 ? settled[settled.length - 1].heapMb - settled[0].heapMb : 0;
  const verdict = (ok) => (ok ? 'met' : 'NOT met');
  const lines = [
    `SendEmail to receipt at a local SMTP server: platform vs nodemailer direct — ${settings.messages} messages (direct ${settings.direct}), ${settings.concurrency} in flight, pool ${settings.pool}, ${os.cpus().length} CPUs, Node ${process.version}`,
    '',
    `emails/s   direct ${directRate.toFixed(0)}   platform ${platformRate.toFixed(0)}   (${(share * 100).toFixed(1)} % of direct)`,
    `latency (command published → received)   p50 ${t.p50.toFixed(0)} ms   p99 ${t.p99.toFixed(0)} ms   max ${t.max.toFixed(0)} ms`,
    `heap after GC by messages received: ${heap.map((sample) => `${sample.received}: ${sample.heapMb.toFixed(1)} MB`).join(', ')}; RSS at the end ${rss.toFixed(0)} MB`,
    '',
    `goals: emails/s >= ${GOALS.throughputShare * 100} % of direct ${verdict(share >= GOALS.throughputShare)}; heap growth after the first quarter ${heapGrowth.toFixed(1)} MB < ${GOALS.heapGrowthMb} MB ${verdict(heapGrowth < GOALS.heapGrowthMb)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const results = writeResults('email', {
    settings,
    emailsPerSecond: { direct: directRate, platform: platformRate, share },
    latencyMs: t,
    heap,
    heapGrowthMb: heapGrowth,
    rssMb: rss,
    goals: GOALS,
  });
  process.stdout.write(`\nResults: ${results}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
