import { duration, oneOf, str, url } from '../config/codecs';
import { Env, OptionsSection } from '../config/options';
import type { FailMode } from './cache.ports';

const FAIL_MODES = ['open', 'closed'] as const;

@OptionsSection('Cache', 'Rate budgets, locks and idempotency keys: Redis when REDIS_URL is set, otherwise in-process')
export class CacheOptions {
  @Env('REDIS_URL', url({ protocols: ['redis', 'rediss'] }), {
    secret: true,
    description: 'Redis connection URL (rediss:// for TLS); unset = in-process, which does not coordinate replicas',
  })
  readonly redisUrl?: string;

  @Env('REDIS_KEY_PREFIX', str({ pattern: /^[A-Za-z0-9:._-]{1,64}$/, patternHint: '1-64 letters, digits or :._-' }), {
    default: 'ip:',
    description: 'Prefix of every Redis key this platform writes, so it can share a Redis with other applications',
  })
  readonly keyPrefix: string;

  @Env('CACHE_COMMAND_TIMEOUT', duration({ min: 10, max: 60_000 }), {
    default: 500,
    description: 'How long one Redis call may take before it counts as unavailable and follows its fail mode',
  })
  readonly commandTimeoutMs: number;

  @Env('RATE_LIMIT_FAIL_MODE', oneOf(FAIL_MODES), {
    default: 'open',
    description: 'Redis unavailable: `open` lets rate-limited calls through, `closed` refuses them',
  })
  readonly rateLimitFailMode: FailMode;

  @Env('LOCK_FAIL_MODE', oneOf(FAIL_MODES), {
    default: 'closed',
    description: 'Redis unavailable: `open` takes an in-process lock (serialises this replica only), `closed` does not acquire',
  })
  readonly lockFailMode: FailMode;

  @Env('IDEMPOTENCY_FAIL_MODE', oneOf(FAIL_MODES), {
    default: 'closed',
    description: 'Redis unavailable: `open` treats every key as new, `closed` fails the call',
  })
  readonly idempotencyFailMode: FailMode;

  get backend(): 'redis' | 'in-process' {
    return this.redisUrl ? 'redis' : 'in-process';
  }
}
