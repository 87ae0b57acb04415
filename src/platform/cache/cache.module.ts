import { Global, Module, Provider } from '@nestjs/common';
import { provideOptions } from '../config/options.provider';
import { CacheOptions } from './cache.options';
import { DistributedLock, IdempotencyStore, RateLimiter } from './cache.ports';
import { CacheStatus, InProcessCacheStatus } from './cache-status';
import { InProcessIdempotencyStore } from './in-process-idempotency-store';
import { InProcessLock } from './in-process-lock';
import { InProcessRateLimiter } from './in-process-rate-limiter';
import { RedisConnection } from './redis-connection';
import { RedisIdempotencyStore } from './redis-idempotency-store';
import { RedisLock } from './redis-lock';
import { RedisRateLimiter } from './redis-rate-limiter';

/** Null without REDIS_URL: the adapters below then pick their in-process twins. Nest closes it at shutdown. */
const redisConnection: Provider = {
  provide: RedisConnection,
  inject: [CacheOptions],
  useFactory: (options: CacheOptions) => (options.redisUrl ? new RedisConnection(options) : null),
};

function adapter<T>(port: abstract new (...args: never[]) => T, redis: (connection: RedisConnection, options: CacheOptions) => T, inProcess: () => T): Provider {
  return {
    provide: port,
    inject: [RedisConnection, CacheOptions],
    useFactory: (connection: RedisConnection | null, options: CacheOptions) => (connection ? redis(connection, options) : inProcess()),
  };
}

/**
 * The cache port (rate budgets, locks, idempotency keys): Redis when REDIS_URL is set, shared by every
 * replica; otherwise in-process. Registers no readiness check: an unavailable cache follows each call's
 * fail mode instead of taking the pod out of service.
 */
@Global()
@Module({
  providers: [
    provideOptions(CacheOptions),
    redisConnection,
    adapter(RateLimiter, (connection, options) => new RedisRateLimiter(connection, options), () => new InProcessRateLimiter()),
    adapter(DistributedLock, (connection, options) => new RedisLock(connection, options), () => new InProcessLock()),
    adapter(IdempotencyStore, (connection, options) => new RedisIdempotencyStore(connection, options), () => new InProcessIdempotencyStore()),
    adapter(CacheStatus, (connection) => connection, () => new InProcessCacheStatus()),
  ],
  exports: [CacheOptions, RateLimiter, DistributedLock, IdempotencyStore, CacheStatus],
})
export class CacheModule {}
