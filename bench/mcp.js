#!/usr/bin/env node
// `npm run bench -- mcp [--calls N] [--concurrency C]`: InvokeTool through the platform
// (POST /mcp/connections/{id}/tools/echo/invoke: JWT, the connection's governed MCP session, the tool's schema
// check, a run per call) beside the same tool called with the official SDK client straight on the same MCP
// server, in one run.
//
// The MCP server runs in a child process: the SDK's McpServer over its Streamable HTTP transport (stateful
// sessions), one `echo` tool. The platform runs in this process (APP_ROLE=VendorApiClientRegistryService,
// McpConnectorService, embedded defaults). Both sides run in ROUNDS rounds, direct then platform:
//   sequential  one call at a time: latency p50/p99; added = platform minus direct
//   concurrent  C calls in flight: calls/s
// Goals (issue 14): added p50 < 2 ms; calls/s at 64 concurrent >= 50 % of direct.
const { fork } = require('node:child_process');
const { randomBytes, randomUUID } = require('node:crypto');
const http = require('node:http');
const os = require('node:os');
const { percentiles, startBenchPlatform, writeResults } = require('./fixtures/bench-platform');

const GOALS = { addedP50Ms: 2, throughputShare: 0.5 };
const ROUNDS = 3;
const WARMUP = 200;

// --- the MCP server (child process) ----------------------------------------------------------------------------

if (process.argv[2] === '--server') {
  const { McpServer } = require('@modelcontextprotocol/sdk/server/mcp.js');
  const { StreamableHTTPServerTransport } = require('@modelcontextprotocol/sdk/server/streamableHttp.js');
  const { z } = require('zod');
  const sessions = new Map();
  const newSession = () => {
    const server = new McpServer({ name: 'bench', version: '1.0.0' });
    server.registerTool('echo', { description: 'Echoes its text', inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: 'text', text }] }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), onsessioninitialized: (id) => sessions.set(id, transport) });
    return server.connect(transport).then(() => transport);
  };
  const httpServer = http.createServer(async (request, response) => {
    const chunks = [];
    for await (const chunk of request) chunks.push(chunk);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
    const sessionId = request.headers['mcp-session-id'];
    const transport = sessionId ? sessions.get(sessionId) : await newSession();
    if (!transport) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"jsonrpc":"2.0","error":{"code":-32001,"message":"Session not found"},"id":null}');
      return;
    }
    await transport.handleRequest(request, response, body);
  });
  httpServer.keepAliveTimeout = 60_000;
  httpServer.requestTimeout = 0;
  httpServer.headersTimeout = 0;
  httpServer.listen(0, '127.0.0.1', () => process.send({ port: httpServer.address().port }));
  process.on('disconnect', () => process.exit(0));
  return;
}

// --- arguments -----------------------------------------------------------------------------------------------

function parseArgs(argv) {
  const settings = { calls: 2000, concurrency: 64 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--calls') settings.calls = positive(flag, value());
    else if (flag === '--concurrency') settings.concurrency = positive(flag, value());
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
  process.stderr.write(`${problem}\nUsage: npm run bench -- mcp [--calls N] [--concurrency C]\n`);
  process.exit(2);
}

// --- measurement -------------------------------------------------------------------------------------------

async function sequential(call, count) {
  for (let i = 0; i < WARMUP; i++) await call();
  const latencies = [];
  for (let i = 0; i < count; i++) {
    const begin = process.hrtime.bigint();
    await call();
    latencies.push(Number(process.hrtime.bigint() - begin) / 1e6);
  }
  return latencies;
}

async function concurrent(call, count, concurrency) {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        await call();
      }
    }),
  );
  return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

// --- main --------------------------------------------------------------------------------------------------

async function main() {
  const settings = parseArgs(process.argv.slice(2));
  const server = fork(__filename, ['--server'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { port } = await new Promise((resolve, reject) => {
    server.once('message', resolve);
    server.once('exit', (code) => reject(new Error(`The MCP server exited with ${code}`)));
  });
  const serverUrl = `http://127.0.0.1:${port}/mcp`;
  const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const client = new Client({ name: 'bench-direct', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(serverUrl)));
  const direct = async () => {
    const result = await client.callTool({ name: 'echo', arguments: { text: 'hello' } });
    if (result.isError) throw new Error('The direct call failed');
  };

  const platform = await startBenchPlatform({
    appRole: 'VendorApiClientRegistryService,McpConnectorService',
    credential: { name: 'bench-mcp', value: `bench-${randomBytes(8).toString('hex')}` },
    connection: { providerId: 'mcp', displayName: 'bench MCP server', configuration: { url: serverUrl } },
  });
  const { Agent, request } = require('undici');
  const agent = new Agent({ connections: 256, keepAliveTimeout: 60_000 });
  const body = JSON.stringify({ arguments: { text: 'hello' } });
  const governed = async () => {
    const response = await request(`${platform.url}/mcp/connections/${platform.connectionId}/tools/echo/invoke`, {
      method: 'POST',
      dispatcher: agent,
      body,
      headers: { authorization: `Bearer ${platform.token}`, 'content-type': 'application/json' },
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) throw new Error(`The platform answered ${response.statusCode}: ${text}`);
  };

  const latencies = { direct: [], governed: [] };
  const rates = { direct: [], governed: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, call] of [
      ['direct', direct],
      ['governed', governed],
    ]) {
      latencies[name].push(...(await sequential(call, settings.calls)));
      rates[name].push(await concurrent(call, settings.calls, settings.concurrency));
    }
  }
  const rss = process.memoryUsage().rss / 1048576;
  await client.close();
  await platform.close();
  await agent.close();
  server.disconnect();

  const mean = (list) => list.reduce((sum, value) => sum + value, 0) / list.length;
  const t = { direct: percentiles(latencies.direct), governed: percentiles(latencies.governed) };
  const addedP50 = t.governed.p50 - t.direct.p50;
  const addedP99 = t.governed.p99 - t.direct.p99;
  const share = mean(rates.governed) / mean(rates.direct);
  const ms = (value) => `${value.toFixed(3)} ms`;
  const verdict = (ok) => (ok ? 'met' : 'NOT met');
  const lines = [
    `InvokeTool: platform vs the SDK client direct — ${settings.calls} calls per case (x${ROUNDS}), ${settings.concurrency} concurrent, ${os.cpus().length} CPUs, Node ${process.version}`,
    '',
    'latency (sequential)       p50         p99         max',
    `  direct                   ${ms(t.direct.p50).padEnd(11)} ${ms(t.direct.p99).padEnd(11)} ${ms(t.direct.max)}`,
    `  platform                 ${ms(t.governed.p50).padEnd(11)} ${ms(t.governed.p99).padEnd(11)} ${ms(t.governed.max)}`,
    `  added                    ${ms(addedP50).padEnd(11)} ${ms(addedP99)}`,
    '',
    `calls/s at ${settings.concurrency} concurrent   direct ${mean(rates.direct).toFixed(0)}   platform ${mean(rates.governed).toFixed(0)}   (${(share * 100).toFixed(1)} % of direct); RSS ${rss.toFixed(0)} MB`,
    '',
    `goals: added p50 < ${GOALS.addedP50Ms} ms ${verdict(addedP50 < GOALS.addedP50Ms)}; calls/s >= ${GOALS.throughputShare * 100} % ${verdict(share >= GOALS.throughputShare)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const results = writeResults('mcp', {
    settings,
    latency: { ...t, addedP50, addedP99 },
    callsPerSecond: { direct: mean(rates.direct), platform: mean(rates.governed), share },
    goals: GOALS,
  });
  process.stdout.write(`\nResults: ${results}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
