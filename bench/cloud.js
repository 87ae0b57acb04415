#!/usr/bin/env node
// `npm run bench -- cloud [--small N] [--large N] [--largeMib M] [--hugeMib H]`: object put and get through
// the platform's object-storage port (`/cloud/connections/{id}/objects`, streamed both ways, multipart
// above the threshold, a governed run per call) beside each cloud's own SDK talking straight to the same
// server, in one run: S3 (AWS's S3 SDK, s3rver) and Azure Blob (@azure/storage-blob, Azurite); then the
// platform's RSS while one object of H MiB (default 1,024) goes up to S3 and comes back.
//
// The servers and every client run in child processes, so the platform's process (this one) holds only
// the platform: its RSS is sampled every 50 ms during the large transfer.
//   small   N objects of 1 MiB, put then get, 4 in flight (MB/s and latency)
//   large   N objects of M MiB (default 256), one at a time (MB/s)
// Goals (issue 16): MB/s >= 70 % of direct; RSS during the H MiB transfer < 200 MB.
const { fork } = require('node:child_process');
const os = require('node:os');
const { parseBenchArgs } = require('./fixtures/bench-args');
const { percentiles, startBenchPlatform, writeResults } = require('./fixtures/bench-platform');

const GOALS = { throughputShare: 0.7, rssMb: 200 };
const MIB = 1024 * 1024;
const BUCKET = 'bench-objects';
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
/** The storage emulator's documented development account (public, not a secret). */
const AZURITE_ACCOUNT = 'devstoreaccount1';
const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

// --- the child: s3rver and the clients ------------------------------------------------------------------------

if (process.argv[2] === '--child') {
  const fs = require('node:fs');
  const path = require('node:path');
  const S3rver = require('s3rver');
  const { spawn } = require('node:child_process');
  const net = require('node:net');
  const { S3Client, PutObjectCommand, GetObjectCommand } = require('@aws-sdk/client-s3');
  const { BlobServiceClient, StorageSharedKeyCredential } = require('@azure/storage-blob');
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: BUCKET }] });
  let s3;
  let url;
  let container;
  let azurite;

  const freePort = () =>
    new Promise((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address();
        probe.close(() => resolve(port));
      });
    });
  const listening = async (port) => {
    for (let attempt = 0; attempt < 200; attempt++) {
      const open = await new Promise((resolve) =>
        net
          .connect(port, '127.0.0.1')
          .once('connect', function () {
            this.destroy();
            resolve(true);
          })
          .once('error', () => resolve(false)),
      );
      if (open) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('Azurite did not start');
  };
  const startAzurite = async () => {
    const port = await freePort();
    const location = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-azurite-'));
    const main = path.join(__dirname, '..', 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js');
    azurite = {
      location,
      child: spawn(
        process.execPath,
        [main, '--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', location, '--silent', '--disableTelemetry', '--skipApiVersionCheck'],
        { stdio: 'ignore' },
      ),
    };
    await listening(port);
    const accountUrl = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
    container = new BlobServiceClient(accountUrl, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY)).getContainerClient(BUCKET);
    await container.create();
    return accountUrl;
  };

  /** A body of `size` bytes made as it is read (a repeating pattern: nothing this size is ever held). */
  const generated = (size) => {
    const block = Buffer.alloc(MIB, 0x61);
    let left = size;
    return new ReadableStream({
      pull(controller) {
        if (left <= 0) return controller.close();
        const chunk = left >= block.length ? block : block.subarray(0, left);
        left -= chunk.length;
        controller.enqueue(new Uint8Array(chunk));
      },
    });
  };
  const drain = async (body) => {
    let bytes = 0;
    for await (const chunk of body) bytes += chunk.length;
    return bytes;
  };
  const timed = async (work) => {
    const started = process.hrtime.bigint();
    await work();
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  const inParallel = async (count, concurrency, work) => {
    const latencies = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) latencies.push(await timed(() => work(next++)));
      }),
    );
    return latencies;
  };

  const sides = {
    azureDirect: {
      put: (key, size) => container.getBlockBlobClient(key).uploadData(Buffer.alloc(size, 0x61)),
      get: async (key) => drain((await container.getBlockBlobClient(key).download()).readableStreamBody),
    },
    direct: {
      put: (key, size) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.alloc(size, 0x61), ContentLength: size })),
      get: async (key) => drain((await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body),
    },
    platform: (target) => ({
      put: async (key, size) => {
        const answer = await fetch(`${target.url}/cloud/connections/${target.connectionId}/objects/${key}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/octet-stream', ...(size <= 16 * MIB ? { 'content-length': String(size) } : {}) },
          body: size <= 16 * MIB ? Buffer.alloc(size, 0x61) : generated(size),
          duplex: 'half',
        });
        if (answer.status !== 201) throw new Error(`PUT ${key}: ${answer.status} ${await answer.text()}`);
        await answer.arrayBuffer();
      },
      get: async (key) => {
        const answer = await fetch(`${target.url}/cloud/connections/${target.connectionId}/objects/${key}`, { headers: { authorization: `Bearer ${target.token}` } });
        if (answer.status !== 200) throw new Error(`GET ${key}: ${answer.status} ${await answer.text()}`);
        return drain(answer.body);
      },
    }),
  };

  process.on('message', async (command) => {
    try {
      if (command.type === 'start') {
        const { port } = await server.run();
        url = `http://127.0.0.1:${port}`;
        s3 = new S3Client({ endpoint: url, region: 'us-east-1', forcePathStyle: true, credentials: CREDENTIALS, maxAttempts: 1 });
        return process.send({ type: 'started', url, azureUrl: await startAzurite() });
      }
      const side = command.side === 'platform' ? sides.platform(command.target) : sides[command.side];
      const { size, count, concurrency, tag } = command;
      const putMs = await inParallel(count, concurrency, (index) => side.put(`${tag}/${command.side}-${index}`, size));
      const getMs = await inParallel(count, concurrency, async (index) => {
        const bytes = await side.get(`${tag}/${command.side}-${index}`);
        if (bytes !== size) throw new Error(`GET answered ${bytes} bytes of ${size}`);
      });
      process.send({ type: 'done', putMs, getMs });
    } catch (error) {
      process.send({ type: 'failed', error: String(error?.stack ?? error) });
    }
  });
  process.on('disconnect', () => {
    azurite?.child.kill('SIGKILL');
    if (azurite) fs.rmSync(azurite.location, { recursive: true, force: true });
    fs.rmSync(directory, { recursive: true, force: true });
    process.exit(0);
  });
  return;
}

// --- the platform's process ---------------------------------------------------------------------------------

const settings = parseBenchArgs(
  process.argv.slice(2),
  { small: 64, large: 2, largeMib: 256, hugeMib: 1024 },
  'npm run bench -- cloud [--small N] [--large N] [--largeMib M] [--hugeMib H]',
);

function ask(child, command) {
  return new Promise((resolve, reject) => {
    child.once('message', (answer) => (answer.type === 'failed' ? reject(new Error(answer.error)) : resolve(answer)));
    child.send(command);
  });
}

const mbPerSecond = (bytes, ms) => bytes / MIB / (ms / 1000);
const sum = (values) => values.reduce((total, value) => total + value, 0);

async function main() {
  const child = fork(__filename, ['--child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { url, azureUrl } = await ask(child, { type: 'start' });
  const platform = await startBenchPlatform({
    appRole: 'VendorApiClientRegistryService,CloudProviderAdapterService',
    credential: { name: 'bench-s3', value: JSON.stringify(CREDENTIALS) },
    connection: { providerId: 'aws', displayName: 'bench s3', configuration: { endpoint: url, region: 'us-east-1', bucket: BUCKET, forcePathStyle: true } },
  });
  const target = { url: platform.url, token: platform.token, connectionId: platform.connectionId };
  const azureTarget = { ...target, connectionId: await azureConnection(platform, azureUrl) };
  const results = { settings, cpus: os.cpus().length, node: process.version, cases: {} };
  try {
    for (const [cloud, direct, cloudTarget] of [
      ['S3', 'direct', target],
      ['Azure', 'azureDirect', azureTarget],
    ])
      for (const [size, count, concurrency] of [
        [MIB, settings.small, 4],
        [settings.largeMib * MIB, settings.large, 1],
      ]) {
        const name = `${cloud} ${size / MIB} MiB`;
        const row = {};
        for (const side of ['direct', 'platform']) {
          const started = Date.now();
          const { putMs, getMs } = await ask(child, {
            type: 'run',
            side: side === 'direct' ? direct : side,
            target: cloudTarget,
            size,
            count,
            concurrency,
            tag: `${name.replace(/ /g, '')}-${started}`,
          });
          // Wall time of the whole batch over its bytes: with C in flight the sum of latencies overcounts.
          row[side] = {
            putMbps: mbPerSecond(size * count, sum(putMs) / concurrency),
            getMbps: mbPerSecond(size * count, sum(getMs) / concurrency),
            putLatencyMs: percentiles(putMs),
            getLatencyMs: percentiles(getMs),
          };
        }
        row.putShare = row.platform.putMbps / row.direct.putMbps;
        row.getShare = row.platform.getMbps / row.direct.getMbps;
        results.cases[name] = row;
      }

    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const huge = await ask(child, { type: 'run', side: 'platform', target, size: settings.hugeMib * MIB, count: 1, concurrency: 1, tag: `huge-${Date.now()}` });
    clearInterval(sampler);
    results.huge = {
      mib: settings.hugeMib,
      rssBeforeMb: before / MIB,
      rssPeakMb: peak / MIB,
      putMbps: mbPerSecond(settings.hugeMib * MIB, huge.putMs[0]),
      getMbps: mbPerSecond(settings.hugeMib * MIB, huge.getMs[0]),
    };
  } finally {
    await platform.close();
    child.disconnect();
  }

  const lines = [`Object storage through the platform vs each cloud's SDK direct (S3: s3rver, Azure: Azurite) — ${results.cpus} CPUs, Node ${results.node}`];
  for (const [name, row] of Object.entries(results.cases)) {
    lines.push(
      `${name.padEnd(14)} put  direct ${row.direct.putMbps.toFixed(0)} MB/s  platform ${row.platform.putMbps.toFixed(0)} MB/s (${(row.putShare * 100).toFixed(1)} %)   p50 ${row.direct.putLatencyMs.p50.toFixed(1)} / ${row.platform.putLatencyMs.p50.toFixed(1)} ms`,
      `${name.padEnd(14)} get  direct ${row.direct.getMbps.toFixed(0)} MB/s  platform ${row.platform.getMbps.toFixed(0)} MB/s (${(row.getShare * 100).toFixed(1)} %)   p50 ${row.direct.getLatencyMs.p50.toFixed(1)} / ${row.platform.getLatencyMs.p50.toFixed(1)} ms`,
    );
  }
  const { huge } = results;
  lines.push(
    `${huge.mib} MiB through the platform: put ${huge.putMbps.toFixed(0)} MB/s, get ${huge.getMbps.toFixed(0)} MB/s; platform RSS ${huge.rssBeforeMb.toFixed(0)} → peak ${huge.rssPeakMb.toFixed(0)} MB`,
  );
  const shares = Object.values(results.cases).flatMap((row) => [row.putShare, row.getShare]);
  lines.push(
    `goals: throughput >= 70 % of direct ${shares.every((share) => share >= GOALS.throughputShare) ? 'met' : 'NOT met'} (lowest ${(Math.min(...shares) * 100).toFixed(1)} %); RSS < ${GOALS.rssMb} MB during the transfer ${huge.rssPeakMb < GOALS.rssMb ? 'met' : 'NOT met'}`,
  );
  lines.push(`Results: ${writeResults('cloud', results)}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** The Azure Blob connection on Azurite, made through the public API like the S3 one. */
async function azureConnection(platform, accountUrl) {
  const post = async (route, body) => {
    const response = await fetch(`${platform.url}${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${platform.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = await response.json();
    if (response.status >= 300) throw new Error(`${route} answered ${response.status}: ${JSON.stringify(answer)}`);
    return answer;
  };
  const credential = await post('/integrations/credentials', { name: 'bench-azure', value: AZURITE_KEY });
  const connection = await post('/integrations/connections', {
    providerId: 'azure',
    displayName: 'bench azure',
    credentialId: credential.id,
    configuration: { accountUrl, container: BUCKET },
    rateLimitBudget: { requestsPerSecond: 100000, burst: 100000 },
  });
  if (connection.status !== 'Active') throw new Error(`The Azure bench connection is ${connection.status}: ${JSON.stringify(connection.lastTest)}`);
  return connection.id;
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
