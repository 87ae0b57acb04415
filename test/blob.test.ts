import { Global, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { AzureBlobStore } from '../src/platform/blob/azure-blob-store';
import { BlobModule } from '../src/platform/blob/blob.module';
import { BlobOptions } from '../src/platform/blob/blob.options';
import { BlobStore } from '../src/platform/blob/blob-store';
import { AzureCredentials, AzureIdentityModule } from '../src/platform/azure/azure-credentials';
import { AzureIdentityOptions } from '../src/platform/azure/azure-identity.options';
import { CorruptBlobFileError, FilesystemBlobStore } from '../src/platform/blob/filesystem-blob-store';
import { bindOptions, loadOptions } from '../src/platform/config/options';
import { RuntimeOptions } from '../src/platform/config/runtime.options';
import { ReadinessCheck, ReadinessChecks } from '../src/platform/health/readiness-checks';
import { describeBlobStoreContract, digestOf, failingStream, generatedStream } from './contracts/blob-store.contract';
import { Azurite, startAzurite } from './support/azurite';

const MiB = 1024 * 1024;
beforeAll(() => Logger.overrideLogger(false));
const temporaryDirectories: string[] = [];
afterAll(() => temporaryDirectories.forEach((directory) => rmSync(directory, { recursive: true, force: true })));

function freshDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'blob-test-'));
  temporaryDirectories.push(directory);
  return directory;
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

const freshContainerName = () => `c-${randomBytes(6).toString('hex')}`;

const azureCredentials = new AzureCredentials(loadOptions(AzureIdentityOptions, {}));

describeBlobStoreContract('filesystem', async () => new FilesystemBlobStore(freshDirectory()));
// Without fsync, small in-memory puts take the synchronous path: the same contract holds.
describeBlobStoreContract('filesystem without fsync', async () => new FilesystemBlobStore(freshDirectory(), false));

describe('Azure Blob adapter against Azurite', () => {
  let azurite: Azurite;
  const azureStore = (settings: { container?: string; createContainer?: boolean } = {}) =>
    AzureBlobStore.fromOptions(
      loadOptions(BlobOptions, {
        AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
        AZURE_STORAGE_CONTAINER: settings.container ?? freshContainerName(),
        AZURE_STORAGE_CREATE_CONTAINER: String(settings.createContainer ?? true),
      }),
      false,
      azureCredentials,
    );

  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(() => azurite?.stop());

  describeBlobStoreContract('azure', async () => azureStore());

  it('fails readiness and every call when the container is missing and creation is off', async () => {
    const store = await azureStore({ createContainer: false });
    await expect(store.ping()).rejects.toThrow(/container "c-[0-9a-f]+" does not exist/);
    // A missing container is a deployment problem, not a missing blob.
    for (const read of [() => store.get('tenant', 'name'), () => store.exists('tenant', 'name'), () => store.delete('tenant', 'name')]) {
      await expect(read()).rejects.toMatchObject({ statusCode: 404, details: { errorCode: 'ContainerNotFound' } });
    }
  });

  it('creates the container once, on first use', async () => {
    const container = freshContainerName();
    const store = await azureStore({ container });
    expect(await store.container.exists()).toBe(false);
    await store.put('tenant', 'doc', Buffer.from('x'));
    expect(await store.container.exists()).toBe(true);
    expect((await (await azureStore({ container, createContainer: false })).get('tenant', 'doc'))!.data.toString()).toBe('x');
  });

  it('stores blobs under tenants/<tenantId>/<name>', async () => {
    const store = await azureStore();
    await store.put('acme', 'in/voice.pdf', Buffer.from('x'));
    const names: string[] = [];
    for await (const blob of store.container.listBlobsFlat()) names.push(blob.name);
    expect(names).toEqual(['tenants/acme/in/voice.pdf']);
  });

  it('is what BlobModule provides when a connection string is set', async () => {
    const { store, readiness } = await bootBlobModule({ AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString, AZURE_STORAGE_CONTAINER: freshContainerName() });
    expect(store).toBeInstanceOf(AzureBlobStore);
    expect(await readiness()).toEqual({ backend: 'azure' });
  });

  it('authenticates with DefaultAzureCredential when only the account URL is set', async () => {
    const store = await AzureBlobStore.fromOptions(loadOptions(BlobOptions, { AZURE_STORAGE_ACCOUNT_URL: 'https://prodaccount.blob.core.windows.net' }), true, azureCredentials);
    expect(store.container.url).toBe('https://prodaccount.blob.core.windows.net/payloads');
    expect(store.container.credential.constructor.name).toBe('DefaultAzureCredential');
  });
});

describe('BlobModule', () => {
  it('provides the filesystem store under DATA_DIR/BLOB_DIR and a blob readiness check by default', async () => {
    const dataDir = freshDirectory();
    const { store, readiness } = await bootBlobModule({ DATA_DIR: dataDir, BLOB_DIR: 'payload-files' });
    expect(store).toBeInstanceOf(FilesystemBlobStore);
    expect((store as FilesystemBlobStore).root).toBe(join(dataDir, 'payload-files'));
    expect(await readiness()).toEqual({ backend: 'filesystem' });
  });
});

/** Boots BlobModule with the given environment beside the two kernel providers it relies on. */
async function bootBlobModule(env: Record<string, string>): Promise<{ store: BlobStore; readiness: ReadinessCheck }> {
  const kernelEnv: Record<string, string> = { DATA_DIR: freshDirectory(), ...env };
  const saved = Object.fromEntries(Object.keys(kernelEnv).map((key) => [key, process.env[key]]));
  Object.assign(process.env, kernelEnv);
  try {
    @Global()
    @Module({
      providers: [ReadinessChecks, { provide: RuntimeOptions, useValue: loadOptions(RuntimeOptions, kernelEnv) }],
      exports: [ReadinessChecks, RuntimeOptions],
    })
    class KernelStub {}
    const moduleRef = await Test.createTestingModule({ imports: [KernelStub, AzureIdentityModule, BlobModule] }).compile();
    await moduleRef.init();
    const check = moduleRef
      .get(ReadinessChecks)
      .entries()
      .find(([name]) => name === 'blob')![1];
    return { store: moduleRef.get(BlobStore), readiness: check };
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

describe('filesystem blob store durability', () => {
  it('leaves the previous version and no temporary file when a streamed put fails', async () => {
    const root = freshDirectory();
    const store = new FilesystemBlobStore(root);
    await store.put('tenant', 'doc', Buffer.from('version 1'), { metadata: { version: '1' } });
    const before = filesUnder(root);

    await expect(store.put('tenant', 'doc', failingStream(3 * MiB, new Error('source broke')))).rejects.toThrow('source broke');

    expect(filesUnder(root)).toEqual(before);
    const found = await store.get('tenant', 'doc');
    expect(found!.data.toString()).toBe('version 1');
    expect(found!.properties.metadata).toEqual({ version: '1' });
  });

  it('keeps one file per blob: data and metadata are replaced together', async () => {
    const root = freshDirectory();
    const store = new FilesystemBlobStore(root);
    await store.put('tenant', 'doc', Buffer.from('a'), { metadata: { version: '1' } });
    await store.put('tenant', 'doc', Buffer.from('b'), { metadata: { version: '2' } });
    expect(filesUnder(root)).toHaveLength(1);
    expect(await store.delete('tenant', 'doc')).toBe(true);
    expect(filesUnder(root)).toHaveLength(0);
  });

  it('lets a reader that opened a version finish it while a writer replaces it', async () => {
    const store = new FilesystemBlobStore(freshDirectory());
    const first = generatedStream(8 * MiB);
    await store.put('tenant', 'doc', first.stream);
    const reading = await store.stream('tenant', 'doc');

    await store.put('tenant', 'doc', Buffer.from('replacement'));

    expect(await digestOf(reading!.stream)).toMatchObject({ bytes: 8 * MiB, sha256: first.sha256() });
    expect((await store.get('tenant', 'doc'))!.data.toString()).toBe('replacement');
  });

  it('writes a streamed put to disk as it arrives', async () => {
    const store = new FilesystemBlobStore(freshDirectory());
    const chunks = 16;
    let produced = 0;
    let bytesOnDiskBeforeLastChunk = 0;
    const source = new Readable({
      highWaterMark: MiB,
      read() {
        if (produced === chunks) return void this.push(null);
        produced += 1;
        if (produced === chunks) bytesOnDiskBeforeLastChunk = filesUnder(store.root).reduce((sum, file) => sum + statSync(file).size, 0);
        this.push(Buffer.alloc(MiB, produced));
      },
    });
    await store.put('tenant', 'doc', source);
    expect(bytesOnDiskBeforeLastChunk).toBeGreaterThan((chunks / 2) * MiB);
  });

  it('writes a small put without fsync in place, leaving no temporary file, even after its directory was removed', async () => {
    const root = freshDirectory();
    const store = new FilesystemBlobStore(root, false);
    await store.put('tenant', 'doc', Buffer.from('version 1'));
    rmSync(join(root, 'tenants'), { recursive: true });

    await store.put('tenant', 'doc', Buffer.from('version 2'), { metadata: { version: '2' } });

    expect(filesUnder(root)).toHaveLength(1);
    expect(filesUnder(root)[0]).not.toMatch(/\.tmp$/);
    expect(await store.get('tenant', 'doc')).toMatchObject({ data: Buffer.from('version 2'), properties: { metadata: { version: '2' }, size: 9 } });
  });

  it('refuses a damaged blob file with CorruptBlobFileError instead of answering garbage', async () => {
    const root = freshDirectory();
    const store = new FilesystemBlobStore(root, false);
    await store.put('tenant', 'doc', Buffer.from('intact'));
    const [file] = filesUnder(root);

    writeFileSync(file, readFileSync(file).subarray(0, 12));
    await expect(store.get('tenant', 'doc')).rejects.toThrow(CorruptBlobFileError);
    writeFileSync(file, Buffer.from('not a blob file at all'));
    await expect(store.get('tenant', 'doc')).rejects.toThrow(/unknown format/);
  });

  it('answers ping by creating its directory', async () => {
    const root = join(freshDirectory(), 'created', 'on', 'ping');
    await new FilesystemBlobStore(root).ping();
    expect(existsSync(root)).toBe(true);
  });
});

describe('BlobOptions', () => {
  const issues = (env: NodeJS.ProcessEnv) => bindOptions(BlobOptions, env).issues.map((issue) => `${issue.variable}: ${issue.message}`);
  const connectionString = `DefaultEndpointsProtocol=https;AccountName=prodaccount;AccountKey=${randomBytes(32).toString('base64')};EndpointSuffix=core.windows.net`;

  it('defaults to the filesystem store under DATA_DIR/blobs', () => {
    const options = loadOptions(BlobOptions, {});
    expect(options).toMatchObject({ backend: 'filesystem', container: 'payloads', blobDir: 'blobs' });
  });

  it('selects Azure with a connection string or an account URL', () => {
    expect(loadOptions(BlobOptions, { AZURE_STORAGE_CONNECTION_STRING: connectionString }).backend).toBe('azure');
    expect(loadOptions(BlobOptions, { AZURE_STORAGE_ACCOUNT_URL: 'https://prodaccount.blob.core.windows.net' }).backend).toBe('azure');
    expect(loadOptions(BlobOptions, { AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' }).backend).toBe('azure');
  });

  it('refuses both a connection string and an account URL', () => {
    expect(issues({ AZURE_STORAGE_CONNECTION_STRING: connectionString, AZURE_STORAGE_ACCOUNT_URL: 'https://prodaccount.blob.core.windows.net' })).toEqual([
      'AZURE_STORAGE_ACCOUNT_URL: must not be set together with AZURE_STORAGE_CONNECTION_STRING: choose one',
    ]);
  });

  it('refuses a malformed connection string without echoing it', () => {
    const [issue] = issues({ AZURE_STORAGE_CONNECTION_STRING: 'https://prodaccount.blob.core.windows.net/?sv=secret-signature' });
    expect(issue).toMatch(/^AZURE_STORAGE_CONNECTION_STRING: must be an Azure Storage connection string/);
    expect(issue).not.toContain('secret-signature');
  });

  it('requires a bare https account endpoint', () => {
    expect(issues({ AZURE_STORAGE_ACCOUNT_URL: 'http://prodaccount.blob.core.windows.net' })).toEqual(['AZURE_STORAGE_ACCOUNT_URL: must use one of the schemes: https']);
    const [issue] = issues({ AZURE_STORAGE_ACCOUNT_URL: 'https://prodaccount.blob.core.windows.net/?sv=2024&sig=secret-signature' });
    expect(issue).toMatch(/must be the bare account endpoint/);
    expect(issue).not.toContain('secret-signature');
    expect(issues({ AZURE_STORAGE_ACCOUNT_URL: 'https://prodaccount.blob.core.windows.net/payloads' })).toHaveLength(1);
  });

  it.each(['ab', 'Payloads', 'pay--loads', '-payloads', 'payloads-', 'pay_loads', 'x'.repeat(64)])('refuses the container name %s', (name) => {
    expect(issues({ AZURE_STORAGE_CONTAINER: name })).toEqual([expect.stringMatching(/^AZURE_STORAGE_CONTAINER: must be an Azure container name/)]);
  });

  it.each(['abc', 'payloads', 'tenant-payloads-2', 'x'.repeat(63)])('accepts the container name %s', (name) => {
    expect(loadOptions(BlobOptions, { AZURE_STORAGE_CONTAINER: name }).container).toBe(name);
  });

  it('creates the container by default outside production only', () => {
    expect(loadOptions(BlobOptions, {}).shouldCreateContainer(false)).toBe(true);
    expect(loadOptions(BlobOptions, {}).shouldCreateContainer(true)).toBe(false);
    expect(loadOptions(BlobOptions, { AZURE_STORAGE_CREATE_CONTAINER: 'true' }).shouldCreateContainer(true)).toBe(true);
    expect(loadOptions(BlobOptions, { AZURE_STORAGE_CREATE_CONTAINER: 'false' }).shouldCreateContainer(false)).toBe(false);
  });

  it('refuses the public development account in production', () => {
    const azurite = 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1';
    expect(issues({ NODE_ENV: 'production', AZURE_STORAGE_CONNECTION_STRING: azurite })).toEqual([
      'AZURE_STORAGE_CONNECTION_STRING: must not use the public development account (Azurite) in production',
    ]);
    expect(issues({ NODE_ENV: 'production', AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' })).toHaveLength(1);
    expect(issues({ NODE_ENV: 'development', AZURE_STORAGE_CONNECTION_STRING: azurite })).toEqual([]);
    expect(issues({ NODE_ENV: 'production', AZURE_STORAGE_CONNECTION_STRING: connectionString })).toEqual([]);
  });
});

describe('Azurite test harness', () => {
  it('stops the server and removes its data', async () => {
    const azurite = await startAzurite();
    const pid = azurite.process.pid!;
    await azurite.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    expect(existsSync(azurite.directory)).toBe(false);
  });

  it('exits and removes its data by itself when the test process goes away (its stdin closes)', async () => {
    const azurite = await startAzurite();
    const exited = new Promise((resolve) => azurite.process.once('exit', resolve));
    azurite.process.stdin!.end();
    await exited;
    expect(existsSync(azurite.directory)).toBe(false);
    await azurite.stop();
  });
});
