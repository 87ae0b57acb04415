import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, promises as fs, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { RuntimeOptions } from '../config/runtime.options';
import { assertSecretName, SecretNotFoundError, SecretStore, SecretValue, SecretVersionDisabledError, SecretVersionInfo, SetSecretOptions } from './secret-store';
import { MASTER_KEY_BYTES, SecretsOptions } from './secrets.options';

/** Key Vault refuses larger values; the twin does too, so nothing works locally that fails in production. */
export const MAX_SECRET_VALUE_BYTES = 25 * 1024;

const KEY_FILE = 'master.key';
const FILE_FORMAT = 1;
const LOCK_STALE_MS = 10_000;
const LOCK_TIMEOUT_MS = 15_000;

interface StoredVersion {
  version: string;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
  contentType?: string;
  tags?: Record<string, string>;
  /** Fingerprint of the key that encrypted this version: tells "wrong key" apart from "tampered". */
  keyId: string;
  iv: string;
  authTag: string;
  ciphertext: string;
}

/** One file per secret; versions oldest first, so the last entry is the latest. */
interface SecretFile {
  format: typeof FILE_FORMAT;
  name: string;
  versions: StoredVersion[];
}

export class SecretDecryptionError extends Error {
  constructor(
    readonly secretName: string,
    readonly version: string,
    reason: 'wrong-key' | 'tampered',
  ) {
    super(
      reason === 'wrong-key'
        ? `Version ${version} of secret ${secretName} was encrypted with another key than the current SECRETS_MASTER_KEY`
        : `Version ${version} of secret ${secretName} failed authentication: its stored ciphertext was modified or corrupted`,
    );
    this.name = 'SecretDecryptionError';
  }
}

/**
 * The embedded twin of Key Vault: one JSON file per secret under DATA_DIR, each version sealed with
 * AES-256-GCM (random 96-bit IV; the name and version are authenticated data, so a ciphertext moved to
 * another secret or version fails to open). Writers are serialised per secret inside the process and
 * by a lock file across processes; files are replaced by fsync + rename, so readers never see half a write.
 */
export class LocalSecretStore extends SecretStore {
  private readonly logger = new Logger(LocalSecretStore.name);
  private readonly directory: string;
  private readonly key: Buffer;
  private readonly keyId: string;
  private readonly writeQueues = new Map<string, Promise<unknown>>();

  constructor(options: SecretsOptions, runtime: RuntimeOptions) {
    super();
    this.directory = resolve(runtime.dataDir, options.directory);
    mkdirSync(this.directory, { recursive: true, mode: 0o700 });
    if (options.masterKey) {
      this.key = options.masterKey;
    } else if (runtime.production) {
      throw new Error('The local secret store needs SECRETS_MASTER_KEY in production: a generated key file is refused (or set KEYVAULT_URL)');
    } else {
      this.key = this.generatedKey();
    }
    this.keyId = keyFingerprint(this.key);
  }

  async get(name: string, version?: string): Promise<SecretValue> {
    assertSecretName(name);
    const file = await this.read(name);
    if (!file) throw new SecretNotFoundError(name, version);
    const stored = version === undefined ? latestEnabled(file) : file.versions.find((candidate) => candidate.version === version);
    if (!stored) throw new SecretNotFoundError(name, version);
    if (!stored.enabled) throw new SecretVersionDisabledError(file.name, stored.version);
    return { ...toInfo(file.name, stored), value: this.decrypt(file.name, stored) };
  }

  async set(name: string, value: string, options: SetSecretOptions = {}): Promise<SecretVersionInfo> {
    assertSecretName(name);
    if (typeof value !== 'string') throw new TypeError('A secret value must be a string');
    const size = Buffer.byteLength(value, 'utf8');
    if (size > MAX_SECRET_VALUE_BYTES) {
      throw new RangeError(`A secret value is at most ${MAX_SECRET_VALUE_BYTES} bytes (Key Vault's limit); this one is ${size}`);
    }
    return this.modify(name, (file) => {
      const secret: SecretFile = file ?? { format: FILE_FORMAT, name, versions: [] };
      const version = randomBytes(16).toString('hex');
      const now = new Date().toISOString();
      const stored: StoredVersion = {
        version,
        enabled: true,
        createdAt: now,
        updatedAt: now,
        ...(options.contentType !== undefined ? { contentType: options.contentType } : {}),
        ...(options.tags ? { tags: { ...options.tags } } : {}),
        keyId: this.keyId,
        ...this.encrypt(secret.name, version, value),
      };
      secret.versions.push(stored);
      return { file: secret, result: toInfo(secret.name, stored) };
    });
  }

  async listVersions(name: string): Promise<SecretVersionInfo[]> {
    assertSecretName(name);
    const file = await this.read(name);
    if (!file) throw new SecretNotFoundError(name);
    return file.versions.map((stored) => toInfo(file.name, stored)).reverse();
  }

  async disableVersion(name: string, version: string): Promise<void> {
    assertSecretName(name);
    await this.modify(name, (file) => {
      const stored = file?.versions.find((candidate) => candidate.version === version);
      if (!file || !stored) throw new SecretNotFoundError(name, version);
      if (stored.enabled) {
        stored.enabled = false;
        stored.updatedAt = new Date().toISOString();
      }
      return { file, result: undefined };
    });
  }

  async ping(): Promise<void> {
    await fs.access(this.directory, fs.constants.R_OK | fs.constants.W_OK);
  }

  private pathOf(name: string): string {
    return join(this.directory, `${name.toLowerCase()}.json`);
  }

  private async read(name: string): Promise<SecretFile | undefined> {
    let text: string;
    try {
      text = await fs.readFile(this.pathOf(name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let file: SecretFile;
    try {
      file = JSON.parse(text) as SecretFile;
    } catch {
      throw new Error(`Secret file ${this.pathOf(name)} is corrupt (not JSON)`);
    }
    if (file.format !== FILE_FORMAT) throw new Error(`Secret file ${this.pathOf(name)} has unknown format ${String(file.format)}`);
    return file;
  }

  /** Read-modify-write of one secret's file under both the in-process queue and the cross-process lock. */
  private modify<T>(name: string, change: (file: SecretFile | undefined) => { file: SecretFile; result: T }): Promise<T> {
    const path = this.pathOf(name);
    return this.serialised(path, () =>
      this.withFileLock(path, async () => {
        const { file, result } = change(await this.read(name));
        await this.writeAtomically(path, JSON.stringify(file));
        return result;
      }),
    );
  }

  private async serialised<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.writeQueues.get(key) ?? Promise.resolve();
    const run = previous.then(work);
    const tail = run.catch(() => undefined);
    this.writeQueues.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.writeQueues.get(key) === tail) this.writeQueues.delete(key);
    }
  }

  /** `open(..., 'wx')` is atomic: one process holds `<file>.lock`; a lock older than any write can take is stale. */
  private async withFileLock<T>(path: string, work: () => Promise<T>): Promise<T> {
    const lock = `${path}.lock`;
    const deadline = Date.now() + LOCK_TIMEOUT_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await fs.open(lock, 'wx', 0o600);
        await handle.writeFile(`${process.pid}\n`);
        await handle.close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (await removeIfStale(lock)) continue;
        if (Date.now() > deadline) throw new Error(`Timed out after ${LOCK_TIMEOUT_MS} ms waiting for the lock ${lock}`, { cause: error });
        await delay(Math.min(100, 2 ** attempt) + Math.random() * 5);
      }
    }
    try {
      return await work();
    } finally {
      await fs.unlink(lock).catch(() => undefined);
    }
  }

  private async writeAtomically(path: string, contents: string): Promise<void> {
    const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const handle = await fs.open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(contents);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fs.rename(temporary, path);
    } catch (error) {
      await fs.unlink(temporary).catch(() => undefined);
      throw error;
    }
    await this.syncDirectory();
  }

  /** Makes the rename durable; some platforms cannot fsync a directory, which only weakens durability. */
  private async syncDirectory(): Promise<void> {
    const handle = await fs.open(this.directory, 'r').catch(() => undefined);
    if (!handle) return;
    await handle.sync().catch(() => undefined);
    await handle.close();
  }

  private encrypt(name: string, version: string, value: string): Pick<StoredVersion, 'iv' | 'authTag' | 'ciphertext'> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(associatedData(name, version));
    const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return { iv: iv.toString('base64'), authTag: cipher.getAuthTag().toString('base64'), ciphertext: ciphertext.toString('base64') };
  }

  private decrypt(name: string, stored: StoredVersion): string {
    if (stored.keyId !== this.keyId) throw new SecretDecryptionError(name, stored.version, 'wrong-key');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(stored.iv, 'base64'), { authTagLength: 16 });
      decipher.setAAD(associatedData(name, stored.version));
      decipher.setAuthTag(Buffer.from(stored.authTag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(stored.ciphertext, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretDecryptionError(name, stored.version, 'tampered');
    }
  }

  /**
   * The development key: created once (mode 0600) under a temporary name and hard-linked into place, which
   * fails if another process got there first, so processes starting together share one key.
   */
  private generatedKey(): Buffer {
    const path = join(this.directory, KEY_FILE);
    if (!existsSync(path)) {
      const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      writeFileSync(temporary, randomBytes(MASTER_KEY_BYTES).toString('base64'), { mode: 0o600 });
      try {
        linkSync(temporary, path);
        this.logger.warn({ msg: 'Generated a key for the local secret store (development only; set SECRETS_MASTER_KEY to choose one)', path });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        unlinkSync(temporary);
      }
    }
    if ((statSync(path).mode & 0o077) !== 0) {
      this.logger.warn({ msg: 'The local secret store key file is readable by other users; restrict it to mode 0600', path });
    }
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    if (key.length !== MASTER_KEY_BYTES) throw new Error(`The local secret store key file ${path} does not hold ${MASTER_KEY_BYTES} bytes`);
    return key;
  }
}

/** The newest enabled version; the newest of all when every one is disabled (get() then reports it disabled). */
function latestEnabled(file: SecretFile): StoredVersion | undefined {
  for (let index = file.versions.length - 1; index >= 0; index--) {
    if (file.versions[index].enabled) return file.versions[index];
  }
  return file.versions[file.versions.length - 1];
}

function toInfo(name: string, stored: StoredVersion): SecretVersionInfo {
  return {
    name,
    version: stored.version,
    enabled: stored.enabled,
    createdAt: new Date(stored.createdAt),
    updatedAt: new Date(stored.updatedAt),
    ...(stored.contentType !== undefined ? { contentType: stored.contentType } : {}),
    ...(stored.tags ? { tags: { ...stored.tags } } : {}),
  };
}

function associatedData(name: string, version: string): Buffer {
  return Buffer.from(`secret-store/v${FILE_FORMAT}\0${name.toLowerCase()}\0${version}`, 'utf8');
}

function keyFingerprint(key: Buffer): string {
  return createHmac('sha256', key).update('local-secret-store key id').digest('hex').slice(0, 16);
}

async function removeIfStale(lock: string): Promise<boolean> {
  try {
    const { mtimeMs } = await fs.stat(lock);
    if (Date.now() - mtimeMs < LOCK_STALE_MS) return false;
    await fs.unlink(lock);
    return true;
  } catch (error) {
    // Released (or removed as stale by another process) meanwhile: try again at once.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}
