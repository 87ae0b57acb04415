import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { InvalidSecretNameError, SECRET_VERSION, SecretNotFoundError, SecretStore, SecretVersionDisabledError } from '../../src/platform/secrets/secret-store';

export interface SecretStoreContractSettings {
  /**
   * Resolution of the backend's creation timestamps. Key Vault's are whole seconds, so versions whose order
   * matters are created this far apart (the order of versions created within one tick is undefined).
   */
  readonly timestampResolutionMs?: number;
}

/**
 * The behaviour every SecretStore adapter promises, registered as jest tests. `createStore` returns a fresh
 * store per test; secret names are unique per test, so a shared backend is fine too.
 */
export function describeSecretStoreContract(adapter: string, createStore: () => Promise<SecretStore>, settings: SecretStoreContractSettings = {}): void {
  describe(`SecretStore contract: ${adapter}`, () => {
    let store: SecretStore;
    const uniqueName = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;

    /** Sets each value in turn, waiting out the timestamp resolution between them; returns the versions. */
    async function setInOrder(name: string, values: string[]): Promise<string[]> {
      const versions: string[] = [];
      for (const [index, value] of values.entries()) {
        if (index > 0 && settings.timestampResolutionMs) await delay(settings.timestampResolutionMs + 50);
        versions.push((await store.set(name, value)).version);
      }
      return versions;
    }

    beforeEach(async () => {
      store = await createStore();
    });

    it('answers ping when usable', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('stores a value and reads it back as the latest version, with its metadata', async () => {
      const name = uniqueName('api-key');
      const before = Date.now();
      const info = await store.set(name, 'first value', { contentType: 'text/plain', tags: { owner: 'payments', rotation: '90d' } });
      expect(info).toMatchObject({ name, enabled: true, contentType: 'text/plain', tags: { owner: 'payments', rotation: '90d' } });
      expect(info.version).toMatch(SECRET_VERSION);
      expect(info.createdAt.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(info).not.toHaveProperty('value');

      const latest = await store.get(name);
      expect(latest).toMatchObject({ name, value: 'first value', version: info.version, enabled: true, contentType: 'text/plain' });
      expect(latest.tags).toEqual({ owner: 'payments', rotation: '90d' });
    });

    it('creates a new version on every set; the newest is the latest and older ones stay readable by version', async () => {
      const name = uniqueName('webhook-secret');
      const first = await store.set(name, 'one');
      const second = await store.set(name, 'two');
      expect(second.version).not.toBe(first.version);

      await expect(store.get(name)).resolves.toMatchObject({ value: 'two', version: second.version });
      await expect(store.get(name, first.version)).resolves.toMatchObject({ value: 'one', version: first.version });
      await expect(store.get(name, second.version)).resolves.toMatchObject({ value: 'two', version: second.version });
    });

    it('lists every version newest first, without values', async () => {
      const name = uniqueName('rotated');
      const versions = await setInOrder(name, ['v1', 'v2', 'v3']);
      const listed = await store.listVersions(name);
      expect(listed.map((info) => info.version)).toEqual([...versions].reverse());
      for (const info of listed) {
        expect(info).toMatchObject({ name, enabled: true });
        expect(info).not.toHaveProperty('value');
      }
    });

    it('refuses to read a disabled version and falls back to the newest enabled one for the latest', async () => {
      const name = uniqueName('signing-key');
      const [first, second, third] = await setInOrder(name, ['old', 'current', 'compromised']);
      await store.disableVersion(name, third);

      await expect(store.get(name, third)).rejects.toBeInstanceOf(SecretVersionDisabledError);
      await expect(store.get(name, third)).rejects.toMatchObject({ secretName: name, version: third });
      await expect(store.get(name)).resolves.toMatchObject({ value: 'current', version: second });
      await expect(store.get(name, first)).resolves.toMatchObject({ value: 'old' });

      const listed = await store.listVersions(name);
      expect(listed.map((info) => [info.version, info.enabled])).toEqual([
        [third, false],
        [second, true],
        [first, true],
      ]);
    });

    it('reports the secret disabled when every version is', async () => {
      const name = uniqueName('retired');
      const [only] = await setInOrder(name, ['gone']);
      await store.disableVersion(name, only);
      await expect(store.get(name)).rejects.toBeInstanceOf(SecretVersionDisabledError);
      await expect(store.disableVersion(name, only)).resolves.toBeUndefined();
    });

    it('a version set after a disabled one is the latest again', async () => {
      const name = uniqueName('recovered');
      const [first] = await setInOrder(name, ['bad']);
      await store.disableVersion(name, first);
      const next = await store.set(name, 'good');
      await expect(store.get(name)).resolves.toMatchObject({ value: 'good', version: next.version });
    });

    it('throws SecretNotFoundError for an unknown secret or version', async () => {
      const missing = uniqueName('missing');
      await expect(store.get(missing)).rejects.toBeInstanceOf(SecretNotFoundError);
      await expect(store.get(missing)).rejects.toMatchObject({ secretName: missing });
      await expect(store.listVersions(missing)).rejects.toBeInstanceOf(SecretNotFoundError);
      await expect(store.disableVersion(missing, randomBytes(16).toString('hex'))).rejects.toBeInstanceOf(SecretNotFoundError);

      const name = uniqueName('present');
      await store.set(name, 'value');
      const unknownVersion = randomBytes(16).toString('hex');
      await expect(store.get(name, unknownVersion)).rejects.toBeInstanceOf(SecretNotFoundError);
      await expect(store.get(name, unknownVersion)).rejects.toMatchObject({ secretName: name, version: unknownVersion });
      await expect(store.get(name, 'not-a-version')).rejects.toBeInstanceOf(SecretNotFoundError);
      await expect(store.disableVersion(name, unknownVersion)).rejects.toBeInstanceOf(SecretNotFoundError);
    });

    it.each([
      ['empty', ''],
      ['with a space', 'api key'],
      ['with an underscore', 'api_key'],
      ['with a dot', 'api.key'],
      ['a path', '../etc/passwd'],
      ['128 characters', 'a'.repeat(128)],
      ['non-ASCII', 'clé'],
    ])('rejects a name %s on every operation', async (_case, name) => {
      const version = randomBytes(16).toString('hex');
      await expect(store.set(name, 'value')).rejects.toBeInstanceOf(InvalidSecretNameError);
      await expect(store.get(name)).rejects.toBeInstanceOf(InvalidSecretNameError);
      await expect(store.get(name, version)).rejects.toBeInstanceOf(InvalidSecretNameError);
      await expect(store.listVersions(name)).rejects.toBeInstanceOf(InvalidSecretNameError);
      await expect(store.disableVersion(name, version)).rejects.toBeInstanceOf(InvalidSecretNameError);
    });

    it('accepts a 127-character name', async () => {
      const name = `${uniqueName('long')}-${'x'.repeat(127)}`.slice(0, 127);
      await store.set(name, 'value');
      await expect(store.get(name)).resolves.toMatchObject({ value: 'value' });
    });

    it('treats names case-insensitively, like Key Vault', async () => {
      const name = uniqueName('Mixed-Case');
      const first = await store.set(name, 'one');
      await expect(store.get(name.toLowerCase())).resolves.toMatchObject({ value: 'one', version: first.version });
      const second = await store.set(name.toUpperCase(), 'two');
      await expect(store.get(name)).resolves.toMatchObject({ value: 'two', version: second.version });
      expect(await store.listVersions(name.toLowerCase())).toHaveLength(2);
    });

    it('round-trips unicode, whitespace, JSON-like and large values exactly', async () => {
      const values = [
        'pässwörd — 🔐 日本語 עברית',
        '  leading and trailing spaces\nnew line\ttab\r\n',
        '{"json":"looking","quote":"\\"","nul":"\\u0000"}',
        randomBytes(18 * 1024).toString('base64'),
        '€'.repeat(8000),
      ];
      const name = uniqueName('exotic');
      for (const value of values) {
        const { version } = await store.set(name, value);
        expect((await store.get(name, version)).value).toBe(value);
      }
    });

    it('gives concurrent sets (creating the secret) distinct versions, all readable', async () => {
      const name = uniqueName('concurrent');
      const values = Array.from({ length: 12 }, (_, index) => `value-${index}`);
      const infos = await Promise.all(values.map((value) => store.set(name, value)));
      expect(new Set(infos.map((info) => info.version)).size).toBe(values.length);
      expect(await store.listVersions(name)).toHaveLength(values.length);
      for (const [index, info] of infos.entries()) {
        await expect(store.get(name, info.version)).resolves.toMatchObject({ value: values[index] });
      }
      expect(values).toContain((await store.get(name)).value);
    });
  });
}
