import { createHmac } from 'node:crypto';
import { BlobSASPermissions, generateBlobSASQueryParameters, SASProtocol, StorageSharedKeyCredential } from '@azure/storage-blob';
import { IntegrationError } from '../../../platform/resilience/failure-classifier';
import type { AuthContext, SignableRequest } from '../../../platform/vendors/vendor-descriptor';
import { blobSasUrl } from './azure-blob-sas';
import { AZURE_STORAGE_VERSION, sharedKeyOf, signSharedKey } from './azure-storage-shared-key';
import { AzureStorageEntraStrategy, AzureStorageSharedKeyStrategy } from './azure-storage.strategies';

/** The storage emulator's documented development account (public, not a secret). */
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const KEY = { account: ACCOUNT, key: Buffer.from(ACCOUNT_KEY, 'base64') };
const NOW = new Date('2026-12-02T10:20:30.456Z');

/** A request as @azure/storage-blob's pipeline hands it to a credential policy (the legacy WebResource, as much of it as the policy reads). */
class SdkRequest {
  private readonly values = new Map<string, { name: string; value: string }>();

  constructor(
    readonly method: string,
    readonly url: string,
    headers: Record<string, string>,
    readonly body?: string | Buffer,
  ) {
    for (const [name, value] of Object.entries(headers)) this.headers.set(name, value);
  }

  readonly headers = {
    get: (name: string) => this.values.get(name.toLowerCase())?.value,
    set: (name: string, value: string | number) => void this.values.set(name.toLowerCase(), { name, value: String(value) }),
    headersArray: () => [...this.values.values()],
  };
}

/** The Authorization header @azure/storage-blob's own Shared Key policy puts on a request, at NOW. */
async function sdkAuthorization(request: SignableRequest): Promise<string> {
  jest.useFakeTimers({ now: NOW });
  try {
    const sdkRequest = new SdkRequest(request.method, request.url.toString(), { ...request.headers }, request.body as string | Buffer | undefined);
    const policy = new StorageSharedKeyCredential(ACCOUNT, ACCOUNT_KEY).create({ sendRequest: async (sent: unknown) => sent } as never, {} as never);
    const signed = (await policy.sendRequest(sdkRequest as never)) as unknown as SdkRequest;
    return signed.headers.get('authorization')!;
  } finally {
    jest.useRealTimers();
  }
}

describe('Azure Storage Shared Key', () => {
  const base = 'http://127.0.0.1:10000/devstoreaccount1/factory-artifacts';
  const requests: Array<[string, SignableRequest]> = [
    [
      'Put Blob with its type, content type and Content-MD5',
      {
        method: 'PUT',
        url: new URL(`${base}/reports/2026/q4%20summary.json`),
        headers: {
          'user-agent': 'integration-platform',
          accept: 'application/json',
          'x-ms-version': AZURE_STORAGE_VERSION,
          'x-ms-blob-type': 'BlockBlob',
          'content-type': 'application/json',
          'content-md5': 'XUFAKrxLKna5cZ2REBfFkg==',
        },
        body: Buffer.from('{"build":42}'),
      },
    ],
    [
      'Put Block, its id in the query',
      {
        method: 'PUT',
        url: new URL(`${base}/big.bin?comp=block&blockid=${encodeURIComponent(Buffer.from('0123abcd-00001').toString('base64'))}`),
        headers: { 'x-ms-version': AZURE_STORAGE_VERSION, 'content-md5': '1B2M2Y8AsgTpgAmY7PhCfg==' },
        body: Buffer.alloc(1024, 7),
      },
    ],
    [
      'Put Block List with the blob’s content type',
      {
        method: 'PUT',
        url: new URL(`${base}/big.bin?comp=blocklist`),
        headers: { 'x-ms-version': AZURE_STORAGE_VERSION, 'content-type': 'application/xml', 'x-ms-blob-content-type': 'application/x-tar' },
        body: '<?xml version="1.0" encoding="utf-8"?><BlockList><Latest>MDEyM2FiY2QtMDAwMDE=</Latest></BlockList>',
      },
    ],
    [
      'List Blobs: a GET without a body, its query sorted',
      {
        method: 'GET',
        url: new URL(`${base}?restype=container&comp=list&maxresults=2&prefix=listing%2F&marker=2%21104%21MDAwMDE`),
        headers: { 'x-ms-version': AZURE_STORAGE_VERSION },
      },
    ],
    ['Get Blob with a range', { method: 'GET', url: new URL(`${base}/big.bin`), headers: { 'x-ms-version': AZURE_STORAGE_VERSION, 'x-ms-range': 'bytes=5-' } }],
    ['Delete Blob on the public endpoint', { method: 'DELETE', url: new URL('https://devstoreaccount1.blob.core.windows.net/factory-artifacts/a/b.txt'), headers: {} }],
  ];

  it.each(requests)('signs %s as @azure/storage-blob does', async (_name, request) => {
    const signed = signSharedKey(request, KEY, NOW);
    expect(signed.headers.authorization).toBe(await sdkAuthorization({ ...request, headers: { ...request.headers, ...signed.headers } }));
  });

  it('writes the string to sign of the documentation, Content-Length from the body and empty when there is none', () => {
    const request: SignableRequest = {
      method: 'put',
      url: new URL('http://127.0.0.1:10000/devstoreaccount1/c1/a%20b?comp=block&BlockId=AAA%2B&comp=x'),
      headers: { 'content-encoding': 'gzip', 'content-language': 'en', 'content-type': 'text/plain', 'x-ms-version': '2023-11-03', 'X-MS-Meta-B': ' 2 ', 'x-ms-meta-a': '1' },
      body: 'hello',
    };
    const signed = signSharedKey(request, KEY, NOW);
    expect(signed.headers).toEqual({ 'x-ms-date': 'Wed, 02 Dec 2026 10:20:30 GMT', authorization: expect.stringMatching(/^SharedKey devstoreaccount1:[A-Za-z0-9+/]{43}=$/) });
    expect(signed.stringToSign).toBe(
      [
        'PUT',
        'gzip',
        'en',
        '5',
        '',
        'text/plain',
        '',
        '',
        '',
        '',
        '',
        '',
        'x-ms-date:Wed, 02 Dec 2026 10:20:30 GMT',
        'x-ms-meta-a:1',
        'x-ms-meta-b:2',
        'x-ms-version:2023-11-03',
        '/devstoreaccount1/devstoreaccount1/c1/a%20b',
        'blockid:AAA+',
        'comp:block,x',
      ].join('\n'),
    );
    expect(signed.headers.authorization).toBe(`SharedKey devstoreaccount1:${createHmac('sha256', KEY.key).update(signed.stringToSign).digest('base64')}`);
    const empty = signSharedKey({ method: 'PUT', url: new URL('https://a.blob.core.windows.net/c/x'), headers: {}, body: Buffer.alloc(0) }, KEY, NOW);
    expect(empty.stringToSign.split('\n')[3]).toBe('');
    expect(empty.headers['x-ms-version']).toBe(AZURE_STORAGE_VERSION);
  });

  it('takes the account key or the connection string, and never quotes either', () => {
    expect(sharedKeyOf(ACCOUNT_KEY, ACCOUNT).key.equals(KEY.key)).toBe(true);
    expect(
      sharedKeyOf(`DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};BlobEndpoint=http://127.0.0.1:10000/${ACCOUNT};`, ACCOUNT).key.equals(KEY.key),
    ).toBe(true);
    const refusals = [
      () => sharedKeyOf(`AccountName=otheraccount;AccountKey=${ACCOUNT_KEY}`, ACCOUNT),
      () => sharedKeyOf('not a key: secret-value', ACCOUNT),
      () => sharedKeyOf('AccountName=devstoreaccount1;SharedAccessSignature=sv=2025&sig=secret-value', ACCOUNT),
    ];
    for (const refused of refusals) {
      let error: unknown;
      try {
        refused();
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(IntegrationError);
      expect((error as IntegrationError).category).toBe('Auth');
      expect((error as IntegrationError).message).not.toContain('secret-value');
      expect((error as IntegrationError).message).not.toContain(ACCOUNT_KEY);
    }
  });

  it('signs with the account the configuration names, from its URL when not named', async () => {
    const strategy = new AzureStorageSharedKeyStrategy(() => NOW);
    const request = requests[0][1];
    const context = (configuration: Record<string, unknown>, signed: SignableRequest | null = request) =>
      ({ configuration, request: signed ?? undefined, secret: () => Promise.resolve(ACCOUNT_KEY) }) as Partial<AuthContext> as AuthContext;
    const expected = signSharedKey(request, KEY, NOW).headers;
    expect(await strategy.headers(context({ accountUrl: 'http://127.0.0.1:10000/devstoreaccount1', container: 'factory-artifacts' }))).toEqual(expected);
    expect(await strategy.headers(context({ accountUrl: 'https://devstoreaccount1.blob.core.windows.net', container: 'factory-artifacts' }))).toEqual(expected);
    expect(await strategy.headers(context({ account: 'devstoreaccount1', container: 'factory-artifacts' }))).toEqual(expected);
    await expect(strategy.headers(context({ account: 'devstoreaccount1' }, null))).rejects.toMatchObject({ code: 'azure_storage_unsigned_request' });
  });

  it('authorises with an Entra ID token for Azure Storage under Entra', async () => {
    const scopes: string[] = [];
    const context = { azureToken: (scope: string) => (scopes.push(scope), Promise.resolve('entra-token')) } as Partial<AuthContext> as AuthContext;
    expect(await new AzureStorageEntraStrategy().headers(context)).toEqual({ authorization: 'Bearer entra-token', 'x-ms-version': AZURE_STORAGE_VERSION });
    expect(scopes).toEqual(['https://storage.azure.com/.default']);
  });
});

describe('a blob service SAS', () => {
  const url = new URL('http://127.0.0.1:10000/devstoreaccount1/factory-artifacts/shared/q4%20report.txt');

  it.each([
    ['GET', 'r'],
    ['PUT', 'cw'],
  ] as const)('for %s is signed as @azure/storage-blob signs one (sp=%s)', (method, permissions) => {
    const signed = blobSasUrl({ url, container: 'factory-artifacts', blob: 'shared/q4 report.txt', method, expiresSeconds: 300, now: NOW }, KEY);
    const sdk = generateBlobSASQueryParameters(
      {
        containerName: 'factory-artifacts',
        blobName: 'shared/q4 report.txt',
        permissions: BlobSASPermissions.parse(permissions),
        expiresOn: new Date(NOW.getTime() + 300_000),
        protocol: SASProtocol.HttpsAndHttp,
        version: AZURE_STORAGE_VERSION,
      },
      new StorageSharedKeyCredential(ACCOUNT, ACCOUNT_KEY),
    );
    expect(Object.fromEntries(signed.searchParams)).toEqual({
      sv: AZURE_STORAGE_VERSION,
      spr: 'https,http',
      se: '2026-12-02T10:25:30Z',
      sr: 'b',
      sp: permissions,
      sig: sdk.signature,
    });
    expect(`${signed.origin}${signed.pathname}`).toBe(`${url.origin}${url.pathname}`);
  });

  it('is HTTPS only on an https endpoint, and lives one second to seven days', () => {
    const https = blobSasUrl({ url: new URL('https://acme.blob.core.windows.net/c1/a.txt'), container: 'c1', blob: 'a.txt', method: 'GET', expiresSeconds: 1, now: NOW }, KEY);
    expect(https.searchParams.get('spr')).toBe('https');
    for (const expiresSeconds of [0, 604_801, 1.5]) {
      expect(() => blobSasUrl({ url, container: 'c1', blob: 'a.txt', method: 'GET', expiresSeconds, now: NOW }, KEY)).toThrow(/1 to 604800 seconds/);
    }
  });
});
