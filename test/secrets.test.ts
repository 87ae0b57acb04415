import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { inspect } from 'node:util';
import { Global, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AzureCredentials, AzureIdentityModule } from '../src/platform/azure/azure-credentials';
import { AzureIdentityOptions } from '../src/platform/azure/azure-identity.options';
import { bindOptions, loadOptions } from '../src/platform/config/options';
import { provideOptions } from '../src/platform/config/options.provider';
import { RuntimeOptions } from '../src/platform/config/runtime.options';
import { ReadinessChecks } from '../src/platform/health/readiness-checks';
import { CachedSecretStore } from '../src/platform/secrets/cached-secret-store';
import { KeyVaultRequestError, KeyVaultSecretStore } from '../src/platform/secrets/key-vault-secret-store';
import { LocalSecretStore, MAX_SECRET_VALUE_BYTES, SecretDecryptionError } from '../src/platform/secrets/local-secret-store';
import { SecretStore, SecretVersionDisabledError } from '../src/platform/secrets/secret-store';
import { SecretsModule } from '../src/platform/secrets/secrets.module';
import { SecretsOptions } from '../src/platform/secrets/secrets.options';
import { describeSecretStoreContract } from './contracts/secret-store.contract';
import { KeyVaultPeer } from './support/key-vault-peer/key-vault-peer';

type Env = Record<string, string | undefined>;

const newDataDir = () => mkdtempSync(join(tmpdir(), 'ip-secrets-'));
const newMasterKey = () => randomBytes(32).toString('base64');

function openLocalStore(env: Env = {}): { store: LocalSecretStore; directory: string } {
  const full = { DATA_DIR: newDataDir(), ...env };
  const store = new LocalSecretStore(loadOptions(SecretsOptions, full), loadOptions(RuntimeOptions, full));
  return { store, directory: join(full.DATA_DIR, 'secrets') };
}

/** Sets environment variables until the returned function restores them. */
function applyEnv(env: Env): () => void {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  const assign = (values: Env) => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  assign(env);
  return () => assign(saved);
}

/** The adapter as production builds it, plus the one client option a 127.0.0.1 vault needs. */
async function openKeyVaultStore(): Promise<KeyVaultSecretStore> {
  const credential = await new AzureCredentials(loadOptions(AzureIdentityOptions)).get();
  return new KeyVaultSecretStore(loadOptions(SecretsOptions), credential, { disableChallengeResourceVerification: true });
}

/** Everything an error exposes to a log line or an API answer. */
function renderings(error: unknown): string {
  const value = error as Error;
  return [value.message, value.stack, inspect(error, { depth: 8, showHidden: true }), JSON.stringify(error)].join('\n');
}

beforeAll(() => Logger.overrideLogger(false));

describeSecretStoreContract('local encrypted file store', async () => openLocalStore().store);

describe('through the Key Vault peer', () => {
  let peer: KeyVaultPeer;
  let restoreEnv: () => void;

  beforeAll(async () => {
    peer = await KeyVaultPeer.start({ pageSize: 2 });
    await peer.assertTrusted();
    restoreEnv = applyEnv(peer.environment());
  });

  afterAll(async () => {
    restoreEnv?.();
    await peer?.close();
  });

  describeSecretStoreContract('Azure Key Vault adapter', () => openKeyVaultStore(), { timestampResolutionMs: 1000 });

  describe('wire protocol', () => {
    it('gets its token from the authority host over the client-credentials grant, after the vault challenge', async () => {
      peer.reset();
      const store = await openKeyVaultStore();
      await store.set(`wire-${randomBytes(4).toString('hex')}`, 'value');

      const { tenantId } = peer.client;
      expect(peer.requests.map(({ method, path, status, withToken }) => ({ method, path, status, withToken }))).toEqual([
        { method: 'PUT', path: expect.stringMatching(/^\/secrets\/wire-/), status: 401, withToken: false },
        { method: 'GET', path: `/${tenantId}/v2.0/.well-known/openid-configuration`, status: 200, withToken: false },
        { method: 'POST', path: `/${tenantId}/oauth2/v2.0/token`, status: 200, withToken: false },
        { method: 'PUT', path: expect.stringMatching(/^\/secrets\/wire-/), status: 200, withToken: true },
      ]);
      expect(peer.vaultRequests().map((request) => request.apiVersion)).toEqual(['2025-07-01', '2025-07-01']);
    });

    it('follows nextLink through every page of versions', async () => {
      const store = await openKeyVaultStore();
      const name = `paged-${randomBytes(4).toString('hex')}`;
      for (let index = 0; index < 5; index++) await store.set(name, `value-${index}`);
      peer.clearRequestLog();
      expect(await store.listVersions(name)).toHaveLength(5);
      expect(peer.vaultRequests().filter((request) => request.path === `/secrets/${name}/versions` && request.status === 200)).toHaveLength(3);
    });

    it('pings with one page of one secret', async () => {
      const store = await openKeyVaultStore();
      await store.set(`ping-${randomBytes(4).toString('hex')}`, 'value');
      peer.clearRequestLog();
      await store.ping();
      expect(peer.vaultRequests().filter((request) => request.status === 200)).toEqual([
        expect.objectContaining({ method: 'GET', path: '/secrets', query: expect.stringContaining('maxresults=1') }),
      ]);
    });

    it('reports a credential the authority rejects as a KeyVaultRequestError without the client secret', async () => {
      const restore = applyEnv({ AZURE_CLIENT_SECRET: 'not-the-registered-client-secret' });
      try {
        const error = await (await openKeyVaultStore()).get('anything').catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(KeyVaultRequestError);
        expect((error as Error).message).toMatch(/Key Vault get of secret anything failed.*AADSTS7000215/s);
        expect(renderings(error)).not.toContain('not-the-registered-client-secret');
      } finally {
        restore();
      }
    });
  });

  describe('read cache', () => {
    const readsOf = (name: string) =>
      peer
        .vaultRequests()
        .filter((request) => request.method === 'GET' && request.path.startsWith(`/secrets/${name}/`) && request.status === 200 && !request.path.endsWith('/versions')).length;

    it('serves repeated reads within the TTL from memory, by latest and by version', async () => {
      const store = new CachedSecretStore(await openKeyVaultStore(), 60_000);
      const name = `cached-${randomBytes(4).toString('hex')}`;
      const { version } = await store.set(name, 'value');

      for (let index = 0; index < 5; index++) await expect(store.get(name)).resolves.toMatchObject({ value: 'value' });
      expect(readsOf(name)).toBe(1);
      for (let index = 0; index < 3; index++) await expect(store.get(name, version)).resolves.toMatchObject({ value: 'value' });
      expect(readsOf(name)).toBe(2);
      await store.get(name.toUpperCase());
      expect(readsOf(name)).toBe(2);
    });

    it('forgets a secret when a new version is set or a version is disabled', async () => {
      const store = new CachedSecretStore(await openKeyVaultStore(), 60_000);
      const name = `invalidated-${randomBytes(4).toString('hex')}`;
      const first = await store.set(name, 'one');
      await store.get(name);
      const second = await store.set(name, 'two');
      await expect(store.get(name)).resolves.toMatchObject({ value: 'two', version: second.version });
      expect(readsOf(name)).toBe(2);

      await store.get(name, first.version);
      await store.disableVersion(name, first.version);
      await expect(store.get(name, first.version)).rejects.toBeInstanceOf(SecretVersionDisabledError);
    });

    it('reads again once the TTL has passed, and never caches failures', async () => {
      const store = new CachedSecretStore(await openKeyVaultStore(), 200);
      const name = `expiring-${randomBytes(4).toString('hex')}`;
      await store.set(name, 'value');
      await store.get(name);
      await store.get(name);
      expect(readsOf(name)).toBe(1);
      await delay(300);
      await store.get(name);
      expect(readsOf(name)).toBe(2);

      const missing = `missing-${randomBytes(4).toString('hex')}`;
      await expect(store.get(missing)).rejects.toThrow();
      await expect(store.get(missing)).rejects.toThrow();
      expect(peer.vaultRequests().filter((request) => request.path === `/secrets/${missing}/` && request.status === 404)).toHaveLength(2);
    });
  });

  describe('secret values in errors', () => {
    it('a failed Key Vault write reports status and code, never the value', async () => {
      const value = `sk_live_${randomBytes(24).toString('hex')}`;
      const store = await openKeyVaultStore();
      await store.ping();
      peer.failNextVaultRequest({ status: 409, code: 'Conflict', message: 'Secret is currently in a deleted but recoverable state.' });
      const error = await store.set('payment-key', value).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(KeyVaultRequestError);
      expect(error).toMatchObject({ statusCode: 409, code: 'Conflict', secretName: 'payment-key' });
      expect(renderings(error)).not.toContain(value);
    });

    it('a service that echoes the value has it cut from the error', async () => {
      const value = `echoed-${randomBytes(16).toString('hex')}`;
      const store = await openKeyVaultStore();
      await store.ping();
      peer.failNextVaultRequest({ status: 400, code: 'BadParameter', message: `Invalid value ${value}` });
      const error = await store.set('echo', value).catch((caught: unknown) => caught);
      expect((error as Error).message).toContain('Invalid value [REDACTED]');
      expect(renderings(error)).not.toContain(value);
    });

    it('local store errors name the secret and version, never the value', async () => {
      const { store, directory } = openLocalStore();
      const value = `whsec_${randomBytes(24).toString('base64')}`;
      const { version } = await store.set('signing', value);
      await store.disableVersion('signing', version);
      const disabled = await store.get('signing', version).catch((caught: unknown) => caught);
      const tooLarge = await store.set('signing', value.repeat(2000)).catch((caught: unknown) => caught);
      corruptCiphertext(join(directory, 'signing.json'), 0);
      const tampered = await store.get('signing', version).catch((caught: unknown) => caught);
      for (const error of [disabled, tooLarge, tampered]) {
        expect(error).toBeInstanceOf(Error);
        expect(renderings(error)).not.toContain(value);
      }
    });
  });
});

function corruptCiphertext(path: string, versionIndex: number): void {
  const file = JSON.parse(readFileSync(path, 'utf8'));
  const bytes = Buffer.from(file.versions[versionIndex].ciphertext, 'base64');
  bytes[0] ^= 0x01;
  file.versions[versionIndex].ciphertext = bytes.toString('base64');
  writeFileSync(path, JSON.stringify(file));
}

describe('local encrypted file store', () => {
  it('keeps no plaintext on disk, only AES-256-GCM sealed versions', async () => {
    const { store, directory } = openLocalStore();
    const value = `plaintext-marker-${randomBytes(8).toString('hex')}`;
    await store.set('db-password', value, { contentType: 'text/plain' });
    await store.set('db-password', `${value}-rotated`);

    const files = readdirSync(directory);
    expect(files.sort()).toEqual(['db-password.json', 'master.key']);
    for (const file of files) {
      const contents = readFileSync(join(directory, file));
      expect(contents.includes(value)).toBe(false);
      expect(contents.includes(Buffer.from(value).toString('base64'))).toBe(false);
    }
    const stored = JSON.parse(readFileSync(join(directory, 'db-password.json'), 'utf8'));
    expect(stored.versions).toHaveLength(2);
    expect(Buffer.from(stored.versions[0].iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(stored.versions[0].authTag, 'base64')).toHaveLength(16);
    expect(stored.versions[0].iv).not.toBe(stored.versions[1].iv);
  });

  it('fails to open a modified ciphertext with a clear error', async () => {
    const { store, directory } = openLocalStore();
    const { version } = await store.set('api-token', 'tamper-target');
    corruptCiphertext(join(directory, 'api-token.json'), 0);
    const error = await store.get('api-token', version).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SecretDecryptionError);
    expect((error as Error).message).toBe(`Version ${version} of secret api-token failed authentication: its stored ciphertext was modified or corrupted`);
  });

  it('binds each ciphertext to its secret and version: swapped ones do not open', async () => {
    const { store, directory } = openLocalStore();
    await store.set('first', 'value of first');
    await store.set('second', 'value of second');
    const path = (name: string) => join(directory, `${name}.json`);
    const first = JSON.parse(readFileSync(path('first'), 'utf8'));
    const second = JSON.parse(readFileSync(path('second'), 'utf8'));
    const sealed = ({ iv, authTag, ciphertext }: Record<string, string>) => ({ iv, authTag, ciphertext });
    Object.assign(first.versions[0], sealed(second.versions[0]));
    writeFileSync(path('first'), JSON.stringify(first));
    await expect(store.get('first')).rejects.toBeInstanceOf(SecretDecryptionError);

    await store.set('second', 'second version');
    const twoVersions = JSON.parse(readFileSync(path('second'), 'utf8'));
    const [older, newer] = twoVersions.versions;
    [older.version, newer.version] = [newer.version, older.version];
    writeFileSync(path('second'), JSON.stringify(twoVersions));
    await expect(store.get('second', older.version)).rejects.toBeInstanceOf(SecretDecryptionError);
  });

  it('generates its development key once, mode 0600 in a 0700 directory, and reuses it', async () => {
    const dataDir = newDataDir();
    const first = openLocalStore({ DATA_DIR: dataDir }).store;
    const { version } = await first.set('reused', 'value');
    const keyFile = join(dataDir, 'secrets', 'master.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'secrets')).mode & 0o777).toBe(0o700);
    expect(Buffer.from(readFileSync(keyFile, 'utf8'), 'base64')).toHaveLength(32);

    const second = openLocalStore({ DATA_DIR: dataDir }).store;
    await expect(second.get('reused', version)).resolves.toMatchObject({ value: 'value' });
  });

  it('uses SECRETS_MASTER_KEY without writing a key file, and tells a wrong key apart from tampering', async () => {
    const dataDir = newDataDir();
    const key = newMasterKey();
    const { version } = await openLocalStore({ DATA_DIR: dataDir, SECRETS_MASTER_KEY: key }).store.set('keyed', 'value');
    expect(readdirSync(join(dataDir, 'secrets'))).toEqual(['keyed.json']);
    await expect(openLocalStore({ DATA_DIR: dataDir, SECRETS_MASTER_KEY: key }).store.get('keyed')).resolves.toMatchObject({ value: 'value' });

    const wrongKey = openLocalStore({ DATA_DIR: dataDir, SECRETS_MASTER_KEY: newMasterKey() }).store;
    await expect(wrongKey.get('keyed')).rejects.toThrow(`Version ${version} of secret keyed was encrypted with another key than the current SECRETS_MASTER_KEY`);
  });

  it('serialises writers that share the directory but not the process-local queue (as two processes would)', async () => {
    const dataDir = newDataDir();
    const env = { DATA_DIR: dataDir, SECRETS_MASTER_KEY: newMasterKey() };
    const stores = [openLocalStore(env).store, openLocalStore(env).store, openLocalStore(env).store];
    const infos = await Promise.all(Array.from({ length: 24 }, (_, index) => stores[index % stores.length].set('shared', `value-${index}`)));
    const listed = await stores[0].listVersions('shared');
    expect(listed).toHaveLength(24);
    expect(new Set(listed.map((info) => info.version))).toEqual(new Set(infos.map((info) => info.version)));
    expect(readdirSync(join(dataDir, 'secrets'))).toEqual(['shared.json']);
  });

  it('waits for a held lock and breaks a stale one', async () => {
    const { store, directory } = openLocalStore();
    await store.set('locked', 'one');
    const lock = join(directory, 'locked.json.lock');

    writeFileSync(lock, '999999\n');
    let finished = false;
    const pending = store.set('locked', 'two').then(() => (finished = true));
    await delay(150);
    expect(finished).toBe(false);
    unlinkSync(lock);
    await pending;

    writeFileSync(lock, '999999\n');
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    await store.set('locked', 'three');
    expect((await store.listVersions('locked')).length).toBe(3);
  });

  it("refuses values above Key Vault's size limit", async () => {
    const { store } = openLocalStore();
    await expect(store.set('big', 'x'.repeat(MAX_SECRET_VALUE_BYTES + 1))).rejects.toThrow(RangeError);
    await expect(store.set('big', 'x'.repeat(MAX_SECRET_VALUE_BYTES))).resolves.toMatchObject({ name: 'big' });
  });
});

describe('SecretsOptions', () => {
  const problems = (env: Env) => bindOptions(SecretsOptions, env).issues.map(({ variable, message }) => ({ variable, message }));

  it('defaults to the local store with a 30 s cache', () => {
    expect(loadOptions(SecretsOptions, {})).toMatchObject({ backend: 'local', directory: 'secrets', cacheTtlMs: 30_000 });
    expect(loadOptions(SecretsOptions, { SECRETS_CACHE_TTL: '0' }).cacheTtlMs).toBe(0);
  });

  it('refuses the generated key file in production, and says what to set instead', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual([
      { variable: 'SECRETS_MASTER_KEY', message: expect.stringMatching(/required in production when KEYVAULT_URL is unset.*refuses a generated key file/) },
    ]);
    expect(problems({ NODE_ENV: 'production', SECRETS_MASTER_KEY: newMasterKey() })).toEqual([]);
    expect(problems({ NODE_ENV: 'production', KEYVAULT_URL: 'https://factory-prod.vault.azure.net' })).toEqual([]);
    const production = { NODE_ENV: 'production', DATA_DIR: newDataDir() };
    expect(() => new LocalSecretStore(bindOptions(SecretsOptions, production).options, loadOptions(RuntimeOptions, production))).toThrow(
      /needs SECRETS_MASTER_KEY in production: a generated key file is refused/,
    );
  });

  it('accepts only the base64 of 32 bytes as SECRETS_MASTER_KEY, without echoing it', () => {
    const short = randomBytes(16).toString('base64');
    expect(problems({ SECRETS_MASTER_KEY: short })).toEqual([{ variable: 'SECRETS_MASTER_KEY', message: expect.stringContaining('base64 of 32') }]);
    expect(JSON.stringify(problems({ SECRETS_MASTER_KEY: short }))).not.toContain(short);
    expect(problems({ SECRETS_MASTER_KEY: 'not base64 at all, 44 characters long......' })).toHaveLength(1);
    expect(loadOptions(SecretsOptions, { SECRETS_MASTER_KEY: randomBytes(32).toString('base64url') }).masterKey).toHaveLength(32);
  });

  it('requires an https vault base URL', () => {
    expect(problems({ KEYVAULT_URL: 'http://vault.example' })).toHaveLength(1);
    expect(problems({ KEYVAULT_URL: 'https://factory.vault.azure.net/secrets/x' })).toEqual([{ variable: 'KEYVAULT_URL', message: expect.stringContaining('base URL') }]);
    expect(loadOptions(SecretsOptions, { KEYVAULT_URL: 'https://factory.vault.azure.net/' }).backend).toBe('key-vault');
  });
});

describe('SecretsModule', () => {
  @Global()
  @Module({ providers: [provideOptions(RuntimeOptions), ReadinessChecks], exports: [RuntimeOptions, ReadinessChecks] })
  class PlatformStub {}

  async function compile(env: Env) {
    const restore = applyEnv(env);
    try {
      const moduleRef = await Test.createTestingModule({ imports: [PlatformStub, AzureIdentityModule, SecretsModule] }).compile();
      await moduleRef.init();
      const check = new Map(moduleRef.get(ReadinessChecks).entries()).get('secrets');
      return { moduleRef, store: moduleRef.get(SecretStore), check: check! };
    } finally {
      restore();
    }
  }

  it('provides the local store behind the cache and a passing secrets readiness check', async () => {
    const { moduleRef, store, check } = await compile({ DATA_DIR: newDataDir(), KEYVAULT_URL: undefined, SECRETS_CACHE_TTL: undefined });
    expect(store).toBeInstanceOf(CachedSecretStore);
    await expect(check()).resolves.toEqual({ backend: 'local' });
    await store.set('wired', 'value');
    await expect(store.get('wired')).resolves.toMatchObject({ value: 'value' });
    await moduleRef.close();
  });

  it('provides the bare backend when the cache TTL is 0', async () => {
    const { moduleRef, store } = await compile({ DATA_DIR: newDataDir(), KEYVAULT_URL: undefined, SECRETS_CACHE_TTL: '0' });
    expect(store).toBeInstanceOf(LocalSecretStore);
    await moduleRef.close();
  });

  it("selects Key Vault when KEYVAULT_URL is set, keeping the SDK's challenge resource verification on", async () => {
    const peer = await KeyVaultPeer.start();
    try {
      const { moduleRef, check } = await compile({ ...peer.environment(), DATA_DIR: newDataDir(), SECRETS_CACHE_TTL: '0' });
      expect(moduleRef.get(SecretStore)).toBeInstanceOf(KeyVaultSecretStore);
      // The peer's challenge names vault.azure.net, which 127.0.0.1 is not under: production wiring refuses it.
      await expect(check()).rejects.toThrow(/challenge resource 'vault.azure.net' does not match/);
      await moduleRef.close();
    } finally {
      await peer.close();
    }
  });
});
