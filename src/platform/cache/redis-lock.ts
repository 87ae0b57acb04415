import { randomUUID } from 'node:crypto';
import { wholeTtlMs } from './cache-arguments';
import { CacheOptions } from './cache.options';
import { CacheUnavailableError, DistributedLock, FailMode, LockHandle } from './cache.ports';
import { InProcessLock } from './in-process-lock';
import { RedisConnection } from './redis-connection';

/** SET NX PX with a random owner token; release and extend compare the token inside Redis. */
export class RedisLock extends DistributedLock {
  /** Fail-open fallback: while Redis is unavailable this replica still serialises itself. */
  private readonly local = new InProcessLock();

  constructor(
    private readonly connection: RedisConnection,
    private readonly options: CacheOptions,
  ) {
    super();
  }

  async acquire(key: string, ttlMs: number, options: { onUnavailable?: FailMode } = {}): Promise<LockHandle | null> {
    const ttl = wholeTtlMs(ttlMs);
    const token = randomUUID();
    const redisKey = this.connection.key('lock', key);
    try {
      const reply = await this.connection.run('lock acquire', (redis) => redis.set(redisKey, token, 'PX', ttl, 'NX'));
      return reply === 'OK' ? new RedisLockHandle(key, token, redisKey, this.connection) : null;
    } catch (error) {
      if (!(error instanceof CacheUnavailableError)) throw error;
      return (options.onUnavailable ?? this.options.lockFailMode) === 'open' ? this.local.acquire(key, ttl) : null;
    }
  }
}

class RedisLockHandle implements LockHandle {
  constructor(
    readonly key: string,
    readonly token: string,
    private readonly redisKey: string,
    private readonly connection: RedisConnection,
  ) {}

  async release(): Promise<boolean> {
    try {
      return (await this.connection.run('lock release', (redis) => redis.compareAndDelete(this.redisKey, this.token))) === 1;
    } catch {
      return false;
    }
  }

  async extend(ttlMs: number): Promise<boolean> {
    const ttl = wholeTtlMs(ttlMs);
    try {
      return (await this.connection.run('lock extend', (redis) => redis.compareAndExpire(this.redisKey, this.token, ttl))) === 1;
    } catch {
      return false;
    }
  }
}
