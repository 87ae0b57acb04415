import type Redis from 'ioredis';

/*
 * The cache's atomic operations as Lua, each on one key (so they also suit a clustered Redis). ioredis
 * sends them by EVALSHA and falls back to EVAL on NOSCRIPT (after a restart or failover).
 */

/** Server time in milliseconds: every replica measures buckets on the same clock. */
const NOW_MS = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000`;

/** Mirrors token-bucket.ts: stores the bucket until it would be full again, deletes it when full. */
const STORE_BUCKET = `
local fullIn = math.max(0, at - now) + (capacity - tokens) * 1000 / rate
if fullIn > 0 then
  redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', at)
  redis.call('PEXPIRE', KEYS[1], math.ceil(fullIn))
else
  redis.call('DEL', KEYS[1])
end`;

/** Mirrors token-bucket.ts `refilled`: the bucket's tokens and their time, now. */
const REFILLED = `
local stored = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(stored[1]), tonumber(stored[2])
if tokens == nil or at == nil then
  tokens, at = capacity, now
elseif now <= at then
  tokens = math.min(capacity, tokens)
else
  tokens, at = math.min(capacity, tokens + (now - at) * rate / 1000), now
end`;

/** KEYS[1] bucket; ARGV capacity, refillPerSecond, cost, reserve → { allowed 0|1, remaining, retryAfterMs }. */
const TAKE_TOKENS = `
local capacity, rate, cost, reserve = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4] or '0')
${NOW_MS}
${REFILLED}
local allowed, retryAfter = 0, 0
if tokens >= cost + reserve then
  tokens, allowed = tokens - cost, 1
else
  retryAfter = math.ceil(at - now + (cost + reserve - tokens) * 1000 / rate)
end
${STORE_BUCKET}
return { allowed, math.floor(tokens), retryAfter }`;

/** KEYS[1] bucket; ARGV capacity, refillPerSecond, tokens: gives tokens back, up to the capacity; a blocked bucket stays blocked. */
const REFUND_TOKENS = `
local capacity, rate, refund = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
${NOW_MS}
${REFILLED}
if at <= now then tokens = math.min(capacity, tokens + refund) end
${STORE_BUCKET}
return 1`;

/** KEYS[1] bucket; ARGV capacity, refillPerSecond, blockForMs: empty until then, keeping a longer block. */
const BLOCK_TOKENS = `
local capacity, rate, blockFor = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
${NOW_MS}
local at = now + math.max(0, blockFor)
local storedAt = tonumber(redis.call('HGET', KEYS[1], 'at'))
if storedAt ~= nil and storedAt > at then at = storedAt end
local tokens = 0
${STORE_BUCKET}
return 1`;

/** KEYS[1]; ARGV expected → 1 when the value was `expected` and is now deleted, else 0. */
const COMPARE_AND_DELETE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** KEYS[1]; ARGV expected, ttlMs → 1 when the value was `expected` and its TTL is reset, else 0. */
const COMPARE_AND_EXPIRE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/** KEYS[1]; ARGV value, ttlMs → nil when the key was absent and is now set, else its current value. */
const CLAIM_OR_READ = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return nil end
return redis.call('GET', KEYS[1])`;

export interface CacheScripts {
  takeTokens(key: string, capacity: number, refillPerSecond: number, cost: number, reserve: number): Promise<[allowed: number, remaining: number, retryAfterMs: number]>;
  refundTokens(key: string, capacity: number, refillPerSecond: number, tokens: number): Promise<number>;
  blockTokens(key: string, capacity: number, refillPerSecond: number, blockForMs: number): Promise<number>;
  compareAndDelete(key: string, expected: string): Promise<number>;
  compareAndExpire(key: string, expected: string, ttlMs: number): Promise<number>;
  claimOrRead(key: string, value: string, ttlMs: number): Promise<string | null>;
}

export type CacheRedis = Redis & CacheScripts;

export function withCacheScripts(redis: Redis): CacheRedis {
  const scripts: Record<keyof CacheScripts, string> = {
    takeTokens: TAKE_TOKENS,
    refundTokens: REFUND_TOKENS,
    blockTokens: BLOCK_TOKENS,
    compareAndDelete: COMPARE_AND_DELETE,
    compareAndExpire: COMPARE_AND_EXPIRE,
    claimOrRead: CLAIM_OR_READ,
  };
  for (const [name, lua] of Object.entries(scripts)) redis.defineCommand(name, { numberOfKeys: 1, lua });
  return redis as CacheRedis;
}
