import { randomUUID } from 'node:crypto';
import { wholeTtlMs } from './cache-arguments';
import { DistributedLock, LockHandle } from './cache.ports';
import { ExpiringMap } from './expiring-map';

/** Locks in this process's memory: serialises this process only. Key → owner token. */
export class InProcessLock extends DistributedLock {
  private readonly owners = new ExpiringMap<string>();

  async acquire(key: string, ttlMs: number): Promise<LockHandle | null> {
    const ttl = wholeTtlMs(ttlMs);
    if (this.owners.get(key) !== undefined) return null;
    const token = randomUUID();
    this.owners.set(key, token, ttl);
    return new InProcessLockHandle(key, token, this.owners);
  }
}

class InProcessLockHandle implements LockHandle {
  constructor(
    readonly key: string,
    readonly token: string,
    private readonly owners: ExpiringMap<string>,
  ) {}

  async release(): Promise<boolean> {
    return this.isHeld() && this.owners.delete(this.key);
  }

  async extend(ttlMs: number): Promise<boolean> {
    const ttl = wholeTtlMs(ttlMs);
    if (!this.isHeld()) return false;
    this.owners.set(this.key, this.token, ttl);
    return true;
  }

  private isHeld(): boolean {
    return this.owners.get(this.key) === this.token;
  }
}
