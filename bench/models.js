#!/usr/bin/env node
// `npm run bench -- models [--streams N] [--concurrency C] [--words W] [--open O]`: streamed chat completions through the
// platform's chat-completions surface (POST /openai/v1/chat/completions, `stream: true`, a platform JWT, `x-connection-id`)
// beside the same requests sent straight to the same local vendor stand-in, in one run.
//
// The stand-in runs in a child process: OpenAI's wire format (SSE `data:` chunks, one word each, a usage chunk when
// asked, `data: [DONE]`). The platform runs in this process with APP_ROLE=VendorApiClientRegistryService,
// OpenAIIntegrationService on its embedded defaults (SQLite, store-backed bus, in-process budgets): every stream is
// a governed run (budgets, breaker, egress guard, credential from the secret store) recorded with its usage and time
// to first token. Clients read with undici and look for the first content chunk.
//
// Cases:
//   time to first token  one stream at a time (N streams, x ROUNDS, alternating direct and platform): p50/p99 of the
//                        time from sending the request to the first content chunk; added = platform minus direct
//   chunks/s             C concurrent streams of W words, N streams in all: chunks forwarded per second
//   open streams         O streams held open at once by a child process (the stand-in sends a word every 100 ms):
//                        peak RSS of the platform's process while they are open (measured first, after boot)
// Goals (issue 13): added TTFT p50 < 1 ms; chunks/s with 200 concurrent streams >= 60 % of direct; RSS with 1,000
// open streams < 250 MB.
const { fork } = require('node:child_process');
const http = require('node:http');
const os = require('node:os');
const { percentiles, startBenchPlatform, writeResults } = require('./fixtures/bench-platform');

const GOALS = { addedTtftP50Ms: 1, chunkShare: 0.6, openStreamsRssMb: 250 };
const ROUNDS = 3;
const WARMUP = 50;
const API_KEY = 'sk-bench-0123456789';

// --- the vendor stand-in (child process) -------------------------------------------------------------------

if (process.argv[2] === '--server') {
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      if (request.url === '/v1/models') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ object: 'list', data: [{ id: 'gpt-bench', object: 'model', created: 1, owned_by: 'bench' }] }));
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      // Pacing rides in the request's metadata, which the platform passes through like any field it does not interpret.
      const words = Number(body.metadata?.words ?? 20);
      const delayMs = Number(body.metadata?.delayMs ?? 0);
      streamWords(response, body, words, delayMs);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  server.listen(0, '127.0.0.1', 4096, () => process.send({ port: server.address().port }));
  process.on('disconnect', () => process.exit(0));
  return;
}

function streamWords(response, body, words, delayMs) {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'x-ratelimit-remaining-tokens': '1000000', 'x-ratelimit-remaining-requests': '100000' });
  const prefix = `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1,"model":"${body.model}","choices":[{"index":0,"delta":{"content":"`;
  const suffix = `"},"finish_reason":null}]}\n\n`;
  response.write(
    `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1,"model":"${body.model}","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n`,
  );
  let sent = 0;
  let closed = false;
  response.on('close', () => (closed = true));
  const finish = () => {
    response.write(
      `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1,"model":"${body.model}","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n`,
    );
    if (body.stream_options?.include_usage) {
      response.write(
        `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1,"model":"${body.model}","choices":[],"usage":{"prompt_tokens":4,"completion_tokens":${words},"total_tokens":${words + 4}}}\n\n`,
      );
    }
    response.end('data: [DONE]\n\n');
  };
  const next = () => {
    if (closed) return;
    if (sent === words) return finish();
    response.write(`${prefix}${sent === 0 ? '' : ' '}w${sent}${suffix}`);
    sent += 1;
    if (delayMs > 0) setTimeout(next, delayMs);
    else next();
  };
  next();
}

// --- the clients of the open-streams case (child process), so the RSS sampled is the platform's alone -----------

if (process.argv[2] === '--clients') {
  const [url, token, connectionId, count] = process.argv.slice(3);
  const { Agent, request } = require('undici');
  const agent = new Agent({ connections: Number(count) + 16, bodyTimeout: 0, headersTimeout: 0 });
  const body = JSON.stringify({ model: 'gpt-bench', messages: [{ role: 'user', content: 'Say something short please' }], stream: true, metadata: { words: '40', delayMs: '100' } });
  let opened = 0;
  const one = async () => {
    const response = await request(`${url}/openai/v1/chat/completions`, {
      method: 'POST',
      dispatcher: agent,
      body,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-connection-id': connectionId },
    });
    if (response.statusCode !== 200) throw new Error(`A stream answered HTTP ${response.statusCode}`);
    if (++opened === Number(count)) process.send({ opened });
    let tail = '';
    for await (const piece of response.body) tail = piece.toString('utf8').slice(-32);
    if (!tail.includes('[DONE]')) throw new Error('A stream ended without [DONE]');
  };
  Promise.all(Array.from({ length: Number(count) }, one)).then(
    () => process.send({ done: true }, () => process.exit(0)),
    (error) => {
      process.stderr.write(`${error.stack ?? error}\n`);
      process.exit(1);
    },
  );
  return;
}

// --- arguments -----------------------------------------------------------------------------------------------

function parseArgs(argv) {
  const settings = { streams: 400, concurrency: 200, words: 50, open: 1000 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--streams') settings.streams = positive(flag, value());
    else if (flag === '--concurrency') settings.concurrency = positive(flag, value());
    else if (flag === '--words') settings.words = positive(flag, value());
    else if (flag === '--open') settings.open = positive(flag, value());
    else usage(`Unknown argument "${argv[i]}"`);
  }
  return settings;
}

function positive(flag, raw) {
  const number = Number(raw);
  if (!Number.isInteger(number) || number < 1) usage(`${flag} needs a positive integer, got "${raw}"`);
  return number;
}

function usage(problem) {
  process.stderr.write(`${problem}\nUsage: npm run bench -- models [--streams N] [--concurrency C] [--words W] [--open O]\n`);
  process.exit(2);
}

// --- measurement -------------------------------------------------------------------------------------------

const rssMb = () => process.memoryUsage().rss / 1048576;

/**
 * One stream read to its end: the time to the first content chunk and the number of chunks. A stream that
 * does not end with [DONE] fails the benchmark: a fast broken stream is not a result.
 */
async function readStream(streamer, options) {
  const begin = process.hrtime.bigint();
  const { statusCode, body } = await streamer(options);
  if (statusCode !== 200) throw new Error(`A stream answered HTTP ${statusCode}: ${await body.text()}`);
  let ttftMs;
  let chunks = 0;
  let tail = '';
  for await (const piece of body) {
    const text = piece.toString('utf8');
    if (ttftMs === undefined && text.includes('"content":"w')) ttftMs = Number(process.hrtime.bigint() - begin) / 1e6;
    chunks += text.split('data: ').length - 1;
    tail = text.slice(-32);
  }
  if (!tail.includes('[DONE]')) throw new Error('A stream ended without [DONE]');
  return { ttftMs, chunks };
}

async function timeToFirstToken(streamer, count) {
  for (let i = 0; i < WARMUP; i++) await readStream(streamer, { words: 2 });
  const latencies = [];
  for (let i = 0; i < count; i++) latencies.push((await readStream(streamer, { words: 2 })).ttftMs);
  return latencies;
}

async function chunkThroughput(streamer, count, concurrency, words) {
  let next = 0;
  let chunks = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        // Read first, then add: `chunks += await …` would add to the total as it was before the await.
        const read = await readStream(streamer, { words });
        chunks += read.chunks;
      }
    }),
  );
  return chunks / (Number(process.hrtime.bigint() - started) / 1e9);
}

/** O streams held open through the platform by a child process; the platform's RSS sampled meanwhile. */
async function openStreams(platform, count) {
  const baseline = rssMb();
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 50);
  const started = Date.now();
  const clients = fork(__filename, ['--clients', platform.url, platform.token, platform.connectionId, String(count)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let allOpenAfter;
  await new Promise((resolve, reject) => {
    clients.on('message', (message) => {
      if (message.opened) allOpenAfter = (Date.now() - started) / 1000;
      if (message.done) resolve();
    });
    clients.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`The stream clients exited with ${code}`))));
  });
  clearInterval(sampler);
  return { baseline, peak, allOpenAfter, seconds: (Date.now() - started) / 1000 };
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
  const agent = new Agent({ connections: 4096, keepAliveTimeout: 60_000, bodyTimeout: 0, headersTimeout: 0 });
  const requestBody = ({ words, delayMs = 0 }) =>
    JSON.stringify({
      model: 'gpt-bench',
      messages: [{ role: 'user', content: 'Say something short please' }],
      stream: true,
      metadata: { words: String(words), delayMs: String(delayMs) },
    });

  const rssBeforeBoot = rssMb();
  const platform = await startBenchPlatform({
    appRole: 'VendorApiClientRegistryService,OpenAIIntegrationService',
    credential: { name: 'bench-openai', value: API_KEY },
    connection: { providerId: 'openai', displayName: 'bench stand-in', configuration: { baseUrl: `${vendorUrl}/v1` } },
  });
  const rssAfterBoot = rssMb();
  const direct = (options) =>
    request(`${vendorUrl}/v1/chat/completions`, {
      method: 'POST',
      dispatcher: agent,
      body: requestBody(options),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
    });
  const governed = (options) =>
    request(`${platform.url}/openai/v1/chat/completions`, {
      method: 'POST',
      dispatcher: agent,
      body: requestBody(options),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${platform.token}`, 'x-connection-id': platform.connectionId },
    });

  const open = await openStreams(platform, settings.open);
  const ttft = { direct: [], governed: [] };
  const chunks = { direct: [], governed: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, streamer] of [
      ['direct', direct],
      ['governed', governed],
    ]) {
      ttft[name].push(...(await timeToFirstToken(streamer, settings.streams)));
      chunks[name].push(await chunkThroughput(streamer, settings.streams, settings.concurrency, settings.words));
    }
  }
  await platform.close();
  await agent.close();
  server.disconnect();

  const mean = (list) => list.reduce((sum, value) => sum + value, 0) / list.length;
  const t = { direct: percentiles(ttft.direct), governed: percentiles(ttft.governed) };
  const addedP50 = t.governed.p50 - t.direct.p50;
  const addedP99 = t.governed.p99 - t.direct.p99;
  const share = mean(chunks.governed) / mean(chunks.direct);
  const ms = (value) => `${value.toFixed(3)} ms`;
  const verdict = (ok) => (ok ? 'met' : 'NOT met');
  const lines = [
    `Streamed chat completions: platform vs direct — ${settings.streams} streams per case (x${ROUNDS}), ${settings.concurrency} concurrent, ${settings.words} words, ${os.cpus().length} CPUs, Node ${process.version}`,
    '',
    'time to first token        p50         p99         max',
    `  direct                   ${ms(t.direct.p50).padEnd(11)} ${ms(t.direct.p99).padEnd(11)} ${ms(t.direct.max)}`,
    `  platform                 ${ms(t.governed.p50).padEnd(11)} ${ms(t.governed.p99).padEnd(11)} ${ms(t.governed.max)}`,
    `  added                    ${ms(addedP50).padEnd(11)} ${ms(addedP99)}`,
    '',
    `chunks/s at ${settings.concurrency} concurrent   direct ${mean(chunks.direct).toFixed(0)}   platform ${mean(chunks.governed).toFixed(0)}   (${(share * 100).toFixed(1)} % of direct)`,
    `${settings.open} open streams            platform RSS ${open.baseline.toFixed(0)} MB before, peak ${open.peak.toFixed(0)} MB (all open after ${open.allOpenAfter?.toFixed(1)} s, held ${open.seconds.toFixed(1)} s); boot ${rssBeforeBoot.toFixed(0)} → ${rssAfterBoot.toFixed(0)} MB`,
    '',
    `goals: added TTFT p50 < ${GOALS.addedTtftP50Ms} ms ${verdict(addedP50 < GOALS.addedTtftP50Ms)}; chunks/s >= ${GOALS.chunkShare * 100} % ${verdict(share >= GOALS.chunkShare)}; RSS < ${GOALS.openStreamsRssMb} MB ${verdict(open.peak < GOALS.openStreamsRssMb)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const results = writeResults('models', {
    settings,
    timeToFirstToken: { ...t, addedP50, addedP99 },
    chunksPerSecond: { direct: mean(chunks.direct), platform: mean(chunks.governed), share },
    openStreams: open,
    goals: GOALS,
  });
  process.stdout.write(`\nResults: ${results}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
