import { Logger } from '@nestjs/common';
import { wholeTtlMs } from './cache-arguments';
import { CacheOptions } from './cache.options';
import { CacheUnavailableError, FailMode, IdempotencyState, IdempotencyStore } from './cache.ports';
import { completedRecord, IN_PROGRESS_RECORD, readRecord } from './idempotency-record';
import { RedisConnection } from './redis-connection';

/** A claim is SET NX PX of an in-progress marker; completing overwrites it with the result as JSON. */
export class RedisIdempotencyStore extends IdempotencyStore {
  private readonly logger = new Logger(RedisIdempotencyStore.name);

  constructor(
    private readonly connection: RedisConnection,
    private readonly options: CacheOptions,
  ) {
    super();
  }

  async begin<T = unknown>(key: string, ttlMs: number, options: { onUnavailable?: FailMode } = {}): Promise<IdempotencyState<T>> {
    const ttl = wholeTtlMs(ttlMs);
    try {
      const existing = await this.connection.run('idempotency begin', (redis) => redis.claimOrRead(this.connection.key('idem', key), IN_PROGRESS_RECORD, ttl));
      return existing === null ? { state: 'new' } : readRecord<T>(existing);
    } catch (error) {
      if (!(error instanceof CacheUnavailableError)) throw error;
      if ((options.onUnavailable ?? this.options.idempotencyFailMode) === 'closed') throw error;
      return { state: 'new' };
    }
  }

  async complete<T>(key: string, result: T, ttlMs: number): Promise<void> {
    const ttl = wholeTtlMs(ttlMs);
    const record = completedRecord(result);
    try {
      await this.connection.run('idempotency complete', (redis) => redis.set(this.connection.key('idem', key), record, 'PX', ttl));
    } catch (error) {
      if (!(error instanceof CacheUnavailableError)) throw error;
      this.logger.warn({ msg: 'Idempotency result not recorded: Redis is unavailable; a duplicate may run again', idempotencyKey: key });
    }
  }

  async release(key: string): Promise<void> {
    try {
      await this.connection.run('idempotency release', (redis) => redis.compareAndDelete(this.connection.key('idem', key), IN_PROGRESS_RECORD));
    } catch (error) {
      if (!(error instanceof CacheUnavailableError)) throw error;
      this.logger.debug({ msg: 'Idempotency claim not released: Redis is unavailable; it lapses by its TTL', idempotencyKey: key });
    }
  }
}
