import { Global, Module, Provider } from '@nestjs/common';
import { provideOptions } from '../config/options.provider';
import { CacheOptions } from './cache.options';
import { DistributedLock, IdempotencyStore, RateLimiter } from './cache.ports';
import { CacheStatus, InProcessCacheStatus } from './cache-status';
import { InProcessIdempotencyStore } from './in-process-idempotency-store';
import { InProcessLock } from './in-process-lock';
import { InProcessRateLimiter } from './in-process-rate-limiter';
import type { RedisConnection } from './redis-connection';
import { InProcessLiveEvents, LiveEvents } from '../live/live-events';

/** DI token of the shared Redis connection (null without REDIS_URL). */
const REDIS_CONNECTION = Symbol('REDIS_CONNECTION');

/**
 * Null without REDIS_URL: the adapters below then pick their in-process twins. Nest closes it at
 * shutdown. The Redis code (and ioredis) is only loaded when Redis is configured.
 */
const redisConnection: Provider = {
  provide: REDIS_CONNECTION,
  inject: [CacheOptions],
  useFactory: async (options: CacheOptions) => (options.redisUrl ? new (await import('./redis-connection')).RedisConnection(options) : null),
};

function adapter<T>(port: abstract new (...args: never[]) => T, redis: (connection: RedisConnection, options: CacheOptions) => Promise<T> | T, inProcess: () => T): Provider {
  return {
    provide: port,
    inject: [REDIS_CONNECTION, CacheOptions],
    useFactory: (connection: RedisConnection | null, options: CacheOptions) => (connection ? redis(connection, options) : inProcess()),
  };
}

/**
 * The cache port (rate budgets, locks, idempotency keys, the consoles' live feed): Redis when REDIS_URL is set, shared by every
 * replica; otherwise in-process. Registers no readiness check: an unavailable cache follows each call's
 * fail mode instead of taking the pod out of service.
 */
@Global()
@Module({
  providers: [
    provideOptions(CacheOptions),
    redisConnection,
    adapter(
      RateLimiter,
      async (connection, options) => new (await import('./redis-rate-limiter')).RedisRateLimiter(connection, options),
      () => new InProcessRateLimiter(),
    ),
    adapter(
      DistributedLock,
      async (connection, options) => new (await import('./redis-lock')).RedisLock(connection, options),
      () => new InProcessLock(),
    ),
    adapter(
      IdempotencyStore,
      async (connection, options) => new (await import('./redis-idempotency-store')).RedisIdempotencyStore(connection, options),
      () => new InProcessIdempotencyStore(),
    ),
    adapter(
      LiveEvents,
      async (connection) => new (await import('../live/redis-live-events')).RedisLiveEvents(connection),
      () => new InProcessLiveEvents(),
    ),
    adapter(
      CacheStatus,
      (connection) => connection,
      () => new InProcessCacheStatus(),
    ),
  ],
  exports: [CacheOptions, RateLimiter, DistributedLock, IdempotencyStore, LiveEvents, CacheStatus],
})
export class CacheModule {}
