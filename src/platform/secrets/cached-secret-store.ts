import { SecretStore, SecretValue, SecretVersionInfo, SetSecretOptions } from './secret-store';

interface CachedRead {
  readonly value: SecretValue;
  readonly timer: NodeJS.Timeout;
}

/**
 * Keeps successful reads in process memory for a short TTL, so hot paths (signing every outbound webhook,
 * calling a vendor) do not pay a vault round trip each time. Values never leave the process (no Redis), and
 * each entry is dropped when its TTL ends, not merely ignored. `set` and `disableVersion` forget the name at
 * once in this process; other processes see the change within the TTL.
 */
export class CachedSecretStore extends SecretStore {
  /** Per secret (lower-cased, as names are case-insensitive): reads keyed by version, '' for the latest. */
  private readonly reads = new Map<string, Map<string, CachedRead>>();
  /** Bumped on every invalidation so a read that was in flight meanwhile does not cache what it saw. */
  private readonly generations = new Map<string, number>();

  constructor(
    private readonly backend: SecretStore,
    private readonly ttlMs: number,
  ) {
    super();
  }

  async get(name: string, version?: string): Promise<SecretValue> {
    const key = name.toLowerCase();
    const cached = this.reads.get(key)?.get(version ?? '');
    if (cached) return cached.value;
    const generation = this.generations.get(key) ?? 0;
    const value = await this.backend.get(name, version);
    if ((this.generations.get(key) ?? 0) === generation) this.remember(key, version ?? '', value);
    return value;
  }

  async set(name: string, value: string, options?: SetSecretOptions): Promise<SecretVersionInfo> {
    try {
      return await this.backend.set(name, value, options);
    } finally {
      this.forget(name);
    }
  }

  listVersions(name: string): Promise<SecretVersionInfo[]> {
    return this.backend.listVersions(name);
  }

  async disableVersion(name: string, version: string): Promise<void> {
    try {
      await this.backend.disableVersion(name, version);
    } finally {
      this.forget(name);
    }
  }

  ping(): Promise<void> {
    return this.backend.ping();
  }

  /** Drops every cached read (e.g. on shutdown). */
  clear(): void {
    for (const key of [...this.reads.keys()]) this.forget(key);
  }

  private remember(key: string, version: string, value: SecretValue): void {
    let versions = this.reads.get(key);
    if (!versions) this.reads.set(key, (versions = new Map()));
    clearTimeout(versions.get(version)?.timer);
    const timer = setTimeout(() => {
      versions.delete(version);
      if (versions.size === 0 && this.reads.get(key) === versions) this.reads.delete(key);
    }, this.ttlMs);
    timer.unref();
    versions.set(version, { value, timer });
  }

  private forget(name: string): void {
    const key = name.toLowerCase();
    this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
    for (const { timer } of this.reads.get(key)?.values() ?? []) clearTimeout(timer);
    this.reads.delete(key);
  }
}
