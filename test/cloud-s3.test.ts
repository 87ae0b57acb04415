import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { connect as openSocket } from 'node:net';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { DataSource } from 'typeorm';
import { dumpStore, REGISTRY_SCOPES, TenantApi, waitFor } from './support/governed-api';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { S3RVER_CREDENTIALS, startS3Server } from './support/s3-server';
import { newJwtSecret } from './support/tokens';

/**
 * Object storage on S3 against s3rver, a real S3-protocol server that checks every Signature Version 4:
 * put (one call, or multipart above the threshold and for unknown lengths), get with ranges, head,
 * delete, list with cursors, presigned URLs, the key prefix confining a connection, failed uploads
 * leaving nothing behind, tenants apart, no key anywhere.
 */
const MIB = 1024 * 1024;
const BUCKET = 'factory-artifacts';
const CREDENTIAL = JSON.stringify(S3RVER_CREDENTIALS);
const REQUEST_TIMEOUT_MS = 3_000;

describe('object storage on S3', () => {
  const jwtSecret = newJwtSecret();
  const transcript: string[] = [];
  let s3: Awaited<ReturnType<typeof startS3Server>>;
  let platform: InProcessPlatform;
  let tenant: TenantApi;
  let other: TenantApi;
  let connectionId: string;

  const connect = async (api: TenantApi, name: string, extra: Record<string, unknown> = {}, credential = CREDENTIAL) =>
    api.post('/integrations/connections', {
      providerId: 'aws',
      displayName: name,
      credentialId: await api.createCredential(name, credential),
      configuration: { endpoint: s3.url, region: 'us-east-1', bucket: BUCKET, forcePathStyle: true, ...extra },
    });
  const objectUrl = (key: string, connection = connectionId) => `${platform.url}/cloud/connections/${connection}/objects/${key}`;
  const put = (key: string, body: Buffer | ReadableStream<Uint8Array>, headers: Record<string, string> = {}, connection = connectionId) =>
    fetch(objectUrl(key, connection), {
      method: 'PUT',
      headers: { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/octet-stream', ...headers },
      body,
      ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit);
  const get = (key: string, headers: Record<string, string> = {}, connection = connectionId) =>
    fetch(objectUrl(key, connection), { headers: { authorization: `Bearer ${tenant.token}`, ...headers } });
  const rawPut = (connection: string, key: string) =>
    new Promise<number>((resolve, reject) => {
      const url = new URL(platform.url);
      const request = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method: 'PUT',
          path: `/cloud/connections/${connection}/objects/${key}`,
          headers: { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/octet-stream' },
        },
        (answer) => {
          answer.resume();
          resolve(answer.statusCode ?? 0);
        },
      );
      request.on('error', reject);
      request.end('x');
    });
  const stored = async (key: string) => Buffer.from(await (await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray());

  beforeAll(async () => {
    s3 = await startS3Server([BUCKET]);
    platform = await startInProcess({
      AUTH_JWT_SECRET: jwtSecret,
      APP_ROLE: 'VendorApiClientRegistryService,CloudProviderAdapterService',
      EGRESS_ALLOW_LIST: '127.0.0.1',
      CLOUD_MULTIPART_THRESHOLD: '5MiB',
      CLOUD_PART_SIZE: '5MiB',
      HEALTH_PROBE_INTERVAL: '1h',
      HTTP_REQUEST_TIMEOUT: `${REQUEST_TIMEOUT_MS}ms`,
    });
    tenant = await TenantApi.create(platform.url, jwtSecret, 'tenant-cloud-a', transcript, REGISTRY_SCOPES);
    other = await TenantApi.create(platform.url, jwtSecret, 'tenant-cloud-b', transcript, REGISTRY_SCOPES);
    const created = await connect(tenant, 's3');
    expect(created.body.lastTest).toMatchObject({ passed: true });
    expect(created.body.status).toBe('Active');
    connectionId = created.body.id;
  });

  afterAll(async () => {
    await platform?.close();
    await s3?.close();
  });

  it('tests a connection with a signed ListObjectsV2: a wrong secret leaves it Pending (Auth)', async () => {
    const wrong = await connect(tenant, 's3-wrong', {}, JSON.stringify({ ...S3RVER_CREDENTIALS, secretAccessKey: 'not-the-secret' }));
    expect(wrong.body).toMatchObject({ status: 'Pending', lastTest: { passed: false, category: 'Auth' } });
    const invalid = await tenant.post('/integrations/connections', {
      providerId: 'aws',
      displayName: 'x',
      credentialId: await tenant.createCredential('s3-x', CREDENTIAL),
      configuration: { bucket: 'Bad_Bucket' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.message).toContain('configuration.region');
  });

  it('puts a small object in one call, reads it whole and by range, heads, lists and deletes it', async () => {
    const content = Buffer.from('{"build":42,"status":"green"}');
    const answer = await put('reports/build-42.json', content, { 'content-type': 'application/json' });
    expect(answer.status).toBe(201);
    expect(await answer.json()).toMatchObject({
      key: 'reports/build-42.json',
      size: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
      contentType: 'application/json',
    });
    expect((await stored('reports/build-42.json')).equals(content)).toBe(true);

    const whole = await get('reports/build-42.json');
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('application/json');
    expect(Buffer.from(await whole.arrayBuffer()).equals(content)).toBe(true);
    const range = await get('reports/build-42.json', { range: 'bytes=1-7' });
    expect(range.status).toBe(206);
    expect(range.headers.get('content-range')).toBe(`bytes 1-7/${content.length}`);
    expect(await range.text()).toBe('"build"');
    expect((await get('reports/build-42.json', { range: 'bytes=9-2' })).status).toBe(400);

    const head = await fetch(objectUrl('reports/build-42.json'), { method: 'HEAD', headers: { authorization: `Bearer ${tenant.token}` } });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(content.length));
    expect(head.headers.get('etag')).toBe(`"${createHash('md5').update(content).digest('hex')}"`);

    expect((await fetch(objectUrl('reports/build-42.json'), { method: 'DELETE', headers: { authorization: `Bearer ${tenant.token}` } })).status).toBe(204);
    expect((await get('reports/build-42.json')).status).toBe(404);
  });

  it('lists by prefix, page by page with the cursor', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) await put(`listing/${name}.txt`, Buffer.from(name));
    await put('elsewhere/z.txt', Buffer.from('z'));
    const keys: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await tenant.get(`/cloud/connections/${connectionId}/objects?prefix=listing/&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      keys.push(...page.body.items.map((item: { key: string }) => item.key));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(keys).toEqual(['listing/a.txt', 'listing/b.txt', 'listing/c.txt', 'listing/d.txt', 'listing/e.txt']);
  });

  it('uploads a large object in parts (Content-MD5 on each), and one of unknown length too', async () => {
    const content = randomBytes(12 * MIB + 123);
    const answer = await put('big/known.bin', content);
    expect(answer.status === 201 ? '' : await answer.text()).toBe('');
    const body = (await answer.json()) as { etag: string };
    expect(body).toMatchObject({ size: content.length, sha256: createHash('sha256').update(content).digest('hex') });
    expect(body.etag).toMatch(/^".+"$/);
    expect((await stored('big/known.bin')).equals(content)).toBe(true);
    // Whole parts but the last, as S3 requires (at least 5 MiB each).
    const parts = s3.proxy.forwarded
      .filter((line) => line.startsWith('PUT /factory-artifacts/big/known.bin?partNumber='))
      .map((line) => [Number(/partNumber=(\d+)/.exec(line)?.[1]), Number(/\((\d+) bytes\)$/.exec(line)?.[1])])
      .sort(([a], [b]) => a - b);
    expect(parts).toEqual([
      [1, 5 * MIB],
      [2, 5 * MIB],
      [3, 2 * MIB + 123],
    ]);

    const chunks = [randomBytes(3 * MIB), randomBytes(4 * MIB), randomBytes(MIB)];
    const streamed = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const expected = createHash('sha256');
    const all = Buffer.concat([...chunks]);
    expected.update(all);
    const unknown = await put('big/streamed.bin', streamed);
    expect(unknown.status).toBe(201);
    expect(await unknown.json()).toMatchObject({ size: all.length, sha256: expected.digest('hex') });
    expect((await stored('big/streamed.bin')).equals(all)).toBe(true);
    const download = await get('big/streamed.bin', { range: `bytes=${5 * MIB}-` });
    expect(download.status).toBe(206);
    expect(Buffer.from(await download.arrayBuffer()).equals(all.subarray(5 * MIB))).toBe(true);
  });

  it('stores nothing when a part fails, and aborts the multipart upload', async () => {
    const started = new Date().toISOString();
    s3.proxy.failNext((method, url) => method === 'PUT' && url.searchParams.get('partNumber') === '2');
    const answer = await put('big/failed.bin', randomBytes(12 * MIB));
    expect(answer.status).toBe(502);
    expect(((await answer.json()) as { message: string }).message).toContain('InternalError');
    await expect(s3.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'big/failed.bin' }))).rejects.toMatchObject({ name: 'NotFound' });
    // Runs are journaled in batches: this upload's are told apart by when they began. (s3rver does not
    // implement AbortMultipartUpload and answers 405: the request is what is checked here.)
    await waitFor(
      async () =>
        ((await tenant.get(`/integrations/runs?connectionId=${connectionId}&limit=50`)).body.items as Array<{ operation: string; createdAt: string }>).some(
          (run) => run.operation === 's3.abortMultipartUpload' && run.createdAt >= started,
        ),
      10_000,
      'the multipart upload to be aborted',
    );
    expect(s3.proxy.forwarded.some((line) => line.startsWith('DELETE /factory-artifacts/big/failed.bin?uploadId='))).toBe(true);
  });

  it('stores nothing when the client breaks off an upload', async () => {
    const url = new URL(objectUrl('big/broken.bin'));
    const socket = openSocket(Number(url.port), url.hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `PUT ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${tenant.token}\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n`,
    );
    for (let index = 0; index < 11; index++) socket.write(`${MIB.toString(16)}\r\n${randomBytes(MIB).toString('latin1')}\r\n`, 'latin1');
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.destroy();
    await waitFor(() => platform.logs.text().includes('"status":499'), 10_000, 'the platform to see the client gone');
    await expect(s3.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'big/broken.bin' }))).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('lets an upload that keeps moving outlive the request timeout, and answers one that stalls 408', async () => {
    const chunk = randomBytes(256 * 1024);
    let sent = 0;
    const slow = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent === 8) return controller.close();
        await new Promise((resolve) => setTimeout(resolve, sent === 0 ? 0 : REQUEST_TIMEOUT_MS / 4));
        sent++;
        controller.enqueue(chunk);
      },
    });
    const started = Date.now();
    const moving = await put('slow/moving.bin', slow);
    expect(Date.now() - started).toBeGreaterThan(REQUEST_TIMEOUT_MS);
    expect(moving.status).toBe(201);
    expect((await stored('slow/moving.bin')).equals(Buffer.concat(Array.from({ length: 8 }, () => chunk)))).toBe(true);

    const url = new URL(objectUrl('slow/stalled.bin'));
    const socket = openSocket(Number(url.port), url.hostname);
    let answer = '';
    socket.on('data', (data) => (answer += data.toString('latin1')));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write(
      `PUT ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${tenant.token}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${MIB}\r\n\r\n`,
    );
    socket.write(randomBytes(1024));
    const stalledAt = Date.now();
    await closed;
    expect(Date.now() - stalledAt).toBeLessThan(3 * REQUEST_TIMEOUT_MS);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    await expect(s3.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'slow/stalled.bin' }))).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('confines a connection to its key prefix', async () => {
    const confined = await connect(tenant, 's3-confined', { keyPrefix: 'tenants/acme/' });
    expect(confined.body.status).toBe('Active');
    expect((await put('notes.txt', Buffer.from('scoped'), {}, confined.body.id)).status).toBe(201);
    expect((await stored('tenants/acme/notes.txt')).toString()).toBe('scoped');
    const page = await tenant.get(`/cloud/connections/${confined.body.id}/objects`);
    expect(page.body.items.map((item: { key: string }) => item.key)).toEqual(['notes.txt']);
    // Sent as written: WHATWG URL clients (fetch) would normalise the dot segments away before they left.
    for (const key of ['../escape.txt', 'a/./b', 'x%00y', '%2E%2E/escape.txt']) expect(await rawPut(confined.body.id, key)).toBe(400);
  });

  it('presigns GET and PUT URLs that S3 honours, within the expiry cap', async () => {
    await put('shared/report.txt', Buffer.from('for a browser'));
    const presigned = await tenant.post(`/cloud/connections/${connectionId}/presigned-urls`, { key: 'shared/report.txt', method: 'GET', expiresInSeconds: 300 });
    expect(presigned.status).toBe(201);
    expect(presigned.body.url).toContain('X-Amz-Signature=');
    expect(presigned.body.url).not.toContain(S3RVER_CREDENTIALS.secretAccessKey);
    expect(await (await fetch(presigned.body.url)).text()).toBe('for a browser');

    const upload = await tenant.post(`/cloud/connections/${connectionId}/presigned-urls`, { key: 'shared/upload.txt', method: 'PUT', expiresInSeconds: 60 });
    expect((await fetch(upload.body.url, { method: 'PUT', body: 'from a browser' })).status).toBe(200);
    expect((await stored('shared/upload.txt')).toString()).toBe('from a browser');

    const tooLong = await tenant.post(`/cloud/connections/${connectionId}/presigned-urls`, { key: 'x', method: 'GET', expiresInSeconds: 7200 });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.message).toContain('3600');
  });

  it('keeps tenants apart', async () => {
    const foreign = await fetch(objectUrl('shared/report.txt'), { headers: { authorization: `Bearer ${other.token}` } });
    expect(foreign.status).toBe(404);
    expect((await other.get(`/cloud/connections/${connectionId}/objects`)).status).toBe(404);
  });

  it('signed every request it sent as S3 checks it', () => {
    // The one refusal: the connection made with a wrong secret (its test).
    expect(s3.proxy.rejected).toEqual([`GET /${BUCKET}?list-type=2&max-keys=1: SignatureDoesNotMatch`]);
  });

  it('never shows the secret access key in answers, logs or rows', async () => {
    const store = JSON.stringify(await dumpStore(platform.app.get(DataSource)));
    for (const place of [transcript.join('\n'), platform.logs.text(), store]) expect(place).not.toContain(S3RVER_CREDENTIALS.secretAccessKey);
  });
});
