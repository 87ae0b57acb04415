import { createHash, randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect as openSocket } from 'node:net';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { DataSource } from 'typeorm';
import { AZURITE_ACCOUNT, AZURITE_ACCOUNT_KEY, type Azurite, startAzurite } from './support/azurite';
import { dumpStore, REGISTRY_SCOPES, TenantApi, waitFor } from './support/governed-api';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { newJwtSecret } from './support/tokens';

/**
 * Object storage on Azure Blob against Azurite, which checks every Shared Key signature and SAS: put (one
 * Put Blob, or blocks and a block list above the threshold and for unknown lengths), get with ranges,
 * head, delete, list with cursors, presigned (SAS) URLs, the key prefix confining a connection, a broken
 * upload leaving nothing behind, tenants apart, no account key anywhere. What is stored is read back
 * with Azure's own SDK.
 */
const MIB = 1024 * 1024;
const CONTAINER = 'factory-artifacts';

/**
 * A proxy in front of Azurite that can fail a chosen request with Azure's 500 InternalError, and tells
 * what it forwarded. Shared Key signs no host: the requests stay valid through it.
 */
async function startFailingProxy(target: number): Promise<{ port: number; forwarded: string[]; failNext(matches: (request: IncomingMessage) => boolean): void; server: Server }> {
  const forwarded: string[] = [];
  let failing: ((request: IncomingMessage) => boolean) | undefined;
  const server = createServer((request, response) => {
    if (failing?.(request)) {
      failing = undefined;
      request.resume();
      response.writeHead(500, { 'content-type': 'application/xml', 'x-ms-error-code': 'InternalError' });
      response.end('<?xml version="1.0" encoding="utf-8"?><Error><Code>InternalError</Code><Message>The server encountered an internal error.</Message></Error>');
      return;
    }
    forwarded.push(`${request.method} ${request.url}`);
    const upstream = httpRequest({ host: '127.0.0.1', port: target, method: request.method, path: request.url, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, forwarded, failNext: (matches) => (failing = matches), server };
}

describe('object storage on Azure Blob', () => {
  const jwtSecret = newJwtSecret();
  const transcript: string[] = [];
  let azurite: Azurite;
  let proxy: Awaited<ReturnType<typeof startFailingProxy>>;
  let container: ContainerClient;
  let platform: InProcessPlatform;
  let tenant: TenantApi;
  let other: TenantApi;
  let connectionId: string;

  const accountUrl = () => `http://127.0.0.1:${azurite.port}/${AZURITE_ACCOUNT}`;
  const connect = async (api: TenantApi, name: string, extra: Record<string, unknown> = {}, credential = AZURITE_ACCOUNT_KEY) =>
    api.post('/integrations/connections', {
      providerId: 'azure',
      displayName: name,
      credentialId: await api.createCredential(name, credential),
      configuration: { accountUrl: accountUrl(), container: CONTAINER, ...extra },
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
  const stored = (key: string) => container.getBlobClient(key).downloadToBuffer();
  const exists = (key: string) => container.getBlobClient(key).exists();

  beforeAll(async () => {
    azurite = await startAzurite();
    container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(CONTAINER);
    await container.create();
    proxy = await startFailingProxy(azurite.port);
    platform = await startInProcess({
      AUTH_JWT_SECRET: jwtSecret,
      APP_ROLE: 'VendorApiClientRegistryService,CloudProviderAdapterService',
      EGRESS_ALLOW_LIST: '127.0.0.1',
      CLOUD_MULTIPART_THRESHOLD: '5MiB',
      CLOUD_PART_SIZE: '5MiB',
      HEALTH_PROBE_INTERVAL: '1h',
    });
    tenant = await TenantApi.create(platform.url, jwtSecret, 'tenant-azure-a', transcript, REGISTRY_SCOPES);
    other = await TenantApi.create(platform.url, jwtSecret, 'tenant-azure-b', transcript, REGISTRY_SCOPES);
    const created = await connect(tenant, 'azure-blob');
    expect(created.body.lastTest).toMatchObject({ passed: true });
    expect(created.body.status).toBe('Active');
    connectionId = created.body.id;
  });

  afterAll(async () => {
    await platform?.close();
    await new Promise((resolve) => proxy?.server.close(resolve));
    await azurite?.stop();
  });

  it('tests a connection with a signed List Blobs: a wrong key leaves it Pending (Auth), an unknown container (Validation)', async () => {
    const wrongKey = await connect(tenant, 'azure-wrong', {}, randomBytes(64).toString('base64'));
    expect(wrongKey.body).toMatchObject({ status: 'Pending', lastTest: { passed: false, category: 'Auth' } });
    const fromConnectionString = await connect(tenant, 'azure-connection-string', {}, azurite.connectionString);
    expect(fromConnectionString.body).toMatchObject({ status: 'Active', lastTest: { passed: true } });
    const noContainer = await connect(tenant, 'azure-no-container', { container: 'no-such-container' });
    expect(noContainer.body).toMatchObject({ status: 'Pending', lastTest: { passed: false, category: 'Validation' } });
    const invalid = await tenant.post('/integrations/connections', {
      providerId: 'azure',
      displayName: 'x',
      credentialId: await tenant.createCredential('azure-x', AZURITE_ACCOUNT_KEY),
      configuration: { container: 'Bad_Container' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.message).toContain('configuration.accountUrl or configuration.account');
    expect(invalid.body.message).toContain('configuration.container');
  });

  it('puts a small object with one Put Blob, reads it whole and by range, heads, lists and deletes it', async () => {
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
    expect((await container.getBlobClient('reports/build-42.json').getProperties()).contentType).toBe('application/json');

    const whole = await get('reports/build-42.json');
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('application/json');
    expect(Buffer.from(await whole.arrayBuffer()).equals(content)).toBe(true);
    const range = await get('reports/build-42.json', { range: 'bytes=1-7' });
    expect(range.status).toBe(206);
    expect(range.headers.get('content-range')).toBe(`bytes 1-7/${content.length}`);
    expect(await range.text()).toBe('"build"');
    expect((await get('reports/build-42.json', { range: 'bytes=9-2' })).status).toBe(400);
    expect((await get('reports/build-42.json', { range: 'bytes=500-' })).status).toBe(400);

    const head = await fetch(objectUrl('reports/build-42.json'), { method: 'HEAD', headers: { authorization: `Bearer ${tenant.token}` } });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(content.length));
    expect(head.headers.get('etag')).toBe((await container.getBlobClient('reports/build-42.json').getProperties()).etag);

    expect((await fetch(objectUrl('reports/build-42.json'), { method: 'DELETE', headers: { authorization: `Bearer ${tenant.token}` } })).status).toBe(204);
    expect(await exists('reports/build-42.json')).toBe(false);
    expect((await get('reports/build-42.json')).status).toBe(404);
    expect((await fetch(objectUrl('reports/build-42.json'), { method: 'HEAD', headers: { authorization: `Bearer ${tenant.token}` } })).status).toBe(404);
    expect((await fetch(objectUrl('reports/build-42.json'), { method: 'DELETE', headers: { authorization: `Bearer ${tenant.token}` } })).status).toBe(204);
  });

  it('stores keys with spaces and non-ASCII characters under their own names, and an empty object', async () => {
    const key = 'notes/été 2026+plan.txt';
    expect((await put(encodeURI(key), Buffer.from('summer'))).status).toBe(201);
    expect((await stored(key)).toString()).toBe('summer');
    const page = await tenant.get(`/cloud/connections/${connectionId}/objects?prefix=${encodeURIComponent('notes/été ')}`);
    expect(page.body.items.map((item: { key: string }) => item.key)).toEqual([key]);
    expect(await (await get(encodeURI(key))).text()).toBe('summer');

    const empty = await put('notes/empty.txt', Buffer.alloc(0));
    expect(await empty.json()).toMatchObject({ key: 'notes/empty.txt', size: 0 });
    expect((await stored('notes/empty.txt')).length).toBe(0);
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
    const first = await tenant.get(`/cloud/connections/${connectionId}/objects?prefix=listing/a`);
    expect(first.body.items).toEqual([
      { key: 'listing/a.txt', size: 1, contentType: 'application/octet-stream', etag: expect.stringMatching(/^".+"$/), lastModified: expect.any(String) },
    ]);
  });

  it('uploads a large object in blocks (Content-MD5 on each) committed by a block list, and one of unknown length too', async () => {
    const content = randomBytes(12 * MIB + 123);
    const answer = await put('big/known.bin', content, { 'content-type': 'application/x-tar' });
    expect(answer.status === 201 ? '' : await answer.text()).toBe('');
    const body = (await answer.json()) as { etag: string };
    expect(body).toMatchObject({ size: content.length, sha256: createHash('sha256').update(content).digest('hex') });
    expect(body.etag).toMatch(/^".+"$/);
    expect((await stored('big/known.bin')).equals(content)).toBe(true);
    const committed = await container.getBlockBlobClient('big/known.bin').getBlockList('committed');
    expect(committed.committedBlocks?.map((block) => block.size)).toEqual([5 * MIB, 5 * MIB, 2 * MIB + 123]);
    expect((await container.getBlobClient('big/known.bin').getProperties()).contentType).toBe('application/x-tar');

    const chunks = [randomBytes(3 * MIB), randomBytes(4 * MIB), randomBytes(MIB)];
    const all = Buffer.concat(chunks);
    const streamed = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const unknown = await put('big/streamed.bin', streamed);
    expect(unknown.status).toBe(201);
    expect(await unknown.json()).toMatchObject({ size: all.length, sha256: createHash('sha256').update(all).digest('hex') });
    expect((await stored('big/streamed.bin')).equals(all)).toBe(true);
    expect((await container.getBlockBlobClient('big/streamed.bin').getBlockList('committed')).committedBlocks).toHaveLength(2);
    const download = await get('big/streamed.bin', { range: `bytes=${5 * MIB}-` });
    expect(download.status).toBe(206);
    expect(Buffer.from(await download.arrayBuffer()).equals(all.subarray(5 * MIB))).toBe(true);
  });

  it('stores nothing when a block fails: no block list is committed, and the blob that was there stays', async () => {
    const through = await connect(tenant, 'azure-through-proxy', { accountUrl: `http://127.0.0.1:${proxy.port}/${AZURITE_ACCOUNT}` });
    expect(through.body.status).toBe('Active');
    const before = Buffer.from('the previous version');
    expect((await put('big/failed.bin', before, {}, through.body.id)).status).toBe(201);
    proxy.failNext(
      (request) =>
        request.method === 'PUT' && new URL(request.url!, 'http://proxy').searchParams.get('comp') === 'block' && proxy.forwarded.some((line) => line.includes('comp=block&')),
    );
    const answer = await put('big/failed.bin', randomBytes(12 * MIB), {}, through.body.id);
    expect(answer.status).toBe(502);
    expect(((await answer.json()) as { message: string }).message).toContain('InternalError');
    expect((await stored('big/failed.bin')).equals(before)).toBe(true);
    expect(proxy.forwarded.some((line) => line.includes('comp=blocklist'))).toBe(false);
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
    expect(await exists('big/broken.bin')).toBe(false);
  });

  it('confines a connection to its key prefix', async () => {
    const confined = await connect(tenant, 'azure-confined', { keyPrefix: 'tenants/acme/' });
    expect(confined.body.status).toBe('Active');
    expect((await put('notes.txt', Buffer.from('scoped'), {}, confined.body.id)).status).toBe(201);
    expect((await stored('tenants/acme/notes.txt')).toString()).toBe('scoped');
    const page = await tenant.get(`/cloud/connections/${confined.body.id}/objects`);
    expect(page.body.items.map((item: { key: string }) => item.key)).toEqual(['notes.txt']);
    expect(await (await get('notes.txt', {}, confined.body.id)).text()).toBe('scoped');
  });

  it('presigns GET and PUT URLs (service SAS) that Azure honours, within the expiry cap', async () => {
    await put('shared/report.txt', Buffer.from('for a browser'));
    const presigned = await tenant.post(`/cloud/connections/${connectionId}/presigned-urls`, { key: 'shared/report.txt', method: 'GET', expiresInSeconds: 300 });
    expect(presigned.status).toBe(201);
    const url = new URL(presigned.body.url);
    expect(Object.fromEntries([...url.searchParams].filter(([name]) => name !== 'sig' && name !== 'se'))).toEqual({ sv: '2025-11-05', spr: 'https,http', sr: 'b', sp: 'r' });
    expect(presigned.body.url).not.toContain(AZURITE_ACCOUNT_KEY);
    expect(await (await fetch(presigned.body.url)).text()).toBe('for a browser');
    // Read-only: the GET URL stores nothing.
    expect((await fetch(presigned.body.url, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'overwritten' })).status).toBe(403);

    const upload = await tenant.post(`/cloud/connections/${connectionId}/presigned-urls`, { key: 'shared/upload.txt', method: 'PUT', expiresInSeconds: 60 });
    expect(upload.body.headers).toEqual({ 'x-ms-blob-type': 'BlockBlob' });
    expect((await fetch(upload.body.url, { method: 'PUT', headers: upload.body.headers, body: 'from a browser' })).status).toBe(201);
    expect((await stored('shared/upload.txt')).toString()).toBe('from a browser');
    // A URL for one blob is not one for another.
    const elsewhere = new URL(upload.body.url);
    elsewhere.pathname = elsewhere.pathname.replace('upload.txt', 'other.txt');
    expect((await fetch(elsewhere, { method: 'PUT', headers: upload.body.headers, body: 'x' })).status).toBe(403);

    const tooLong = await tenant.post(`/cloud/connections/${connectionId}/presigned-urls`, { key: 'x', method: 'GET', expiresInSeconds: 7200 });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.message).toContain('3600');
  });

  it('keeps tenants apart', async () => {
    const foreign = await fetch(objectUrl('shared/report.txt'), { headers: { authorization: `Bearer ${other.token}` } });
    expect(foreign.status).toBe(404);
    expect((await other.get(`/cloud/connections/${connectionId}/objects`)).status).toBe(404);
  });

  it('never shows the account key in answers, logs or rows', async () => {
    const store = JSON.stringify(await dumpStore(platform.app.get(DataSource)));
    for (const place of [transcript.join('\n'), platform.logs.text(), store]) expect(place).not.toContain(AZURITE_ACCOUNT_KEY);
  });
});
