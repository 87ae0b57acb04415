import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { AddressInfo, createServer } from 'node:net';
import { ConsoleLogger, Logger, LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import Redis from 'ioredis';
import { CacheModule } from '../src/platform/cache/cache.module';
import { CacheOptions } from '../src/platform/cache/cache.options';
import { CacheUnavailableError, DistributedLock, IdempotencyStore, LockHandle, RateLimiter, TokenBucketRule } from '../src/platform/cache/cache.ports';
import { CacheStatus } from '../src/platform/cache/cache-status';
import { InProcessIdempotencyStore } from '../src/platform/cache/in-process-idempotency-store';
import { InProcessLock } from '../src/platform/cache/in-process-lock';
import { InProcessRateLimiter } from '../src/platform/cache/in-process-rate-limiter';
import { RedisConnection } from '../src/platform/cache/redis-connection';
import { RedisIdempotencyStore } from '../src/platform/cache/redis-idempotency-store';
import { RedisLock } from '../src/platform/cache/redis-lock';
import { RedisRateLimiter } from '../src/platform/cache/redis-rate-limiter';
import { ConfigurationError, envBindings, loadOptions } from '../src/platform/config/options';
import { CacheAdapters, describeCacheContract } from './contracts/cache.contract';
import { deleteRedisKeys } from './support/redis';

/** The machine's shared Redis: tests write only under a random prefix and delete it afterwards. */
const SHARED_REDIS_URL = 'redis://127.0.0.1:6379';
const REDIS_SERVER = '/usr/bin/redis-server';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function cacheOptions(env: Record<string, string>): CacheOptions {
  return loadOptions(CacheOptions, env);
}

function redisAdapters(options: CacheOptions, connection: RedisConnection) {
  return {
    rateLimiter: new RedisRateLimiter(connection, options),
    lock: new RedisLock(connection, options),
    idempotency: new RedisIdempotencyStore(connection, options),
  };
}

/** Collects what the cache logs (Nest's static Logger), to check what is logged and what never is. */
class LogCapture implements LoggerService {
  readonly entries: Array<{ level: string; message: unknown }> = [];
  log = (message: unknown) => this.entries.push({ level: 'log', message });
  warn = (message: unknown) => this.entries.push({ level: 'warn', message });
  error = (message: unknown) => this.entries.push({ level: 'error', message });
  debug = (message: unknown) => this.entries.push({ level: 'debug', message });
  verbose = (message: unknown) => this.entries.push({ level: 'verbose', message });

  /** How many entries at `level` have a `msg` starting with `text`. */
  count(level: string, text: string): number {
    return this.entries.filter((entry) => entry.level === level && String((entry.message as { msg?: unknown })?.msg).startsWith(text)).length;
  }

  text(): string {
    return JSON.stringify(this.entries);
  }
}

// The cache logs through Nest's static Logger: kept out of the test output (and asserted on below).
const quiet = new LogCapture();
beforeAll(() => Logger.overrideLogger(quiet));
afterAll(() => Logger.overrideLogger(new ConsoleLogger()));

describeCacheContract('in-process', async () => ({
  rateLimiter: new InProcessRateLimiter(),
  lock: new InProcessLock(),
  idempotency: new InProcessIdempotencyStore(),
}));

describeCacheContract('Redis', async (): Promise<CacheAdapters> => {
  const prefix = `test:cache:${randomBytes(6).toString('hex')}:`;
  // The contract is about semantics: a busy test machine must not turn slow answers into fail-mode ones.
  const options = cacheOptions({ REDIS_URL: SHARED_REDIS_URL, REDIS_KEY_PREFIX: prefix, CACHE_COMMAND_TIMEOUT: '5s' });
  const connection = new RedisConnection(options);
  await connection.connect();
  expect(connection.status().state).toBe('ready');
  return {
    ...redisAdapters(options, connection),
    async dispose() {
      await deleteRedisKeys(SHARED_REDIS_URL, prefix);
      await connection.close();
    },
  };
});

describe('CacheOptions', () => {
  it('defaults to in-process with the documented fail modes', () => {
    expect({ ...cacheOptions({}), backend: cacheOptions({}).backend }).toEqual({
      keyPrefix: 'ip:',
      commandTimeoutMs: 500,
      rateLimitFailMode: 'open',
      lockFailMode: 'closed',
      idempotencyFailMode: 'closed',
      backend: 'in-process',
    });
  });

  it('accepts redis:// and rediss:// only, and marks REDIS_URL secret', () => {
    expect(cacheOptions({ REDIS_URL: 'rediss://:pw@cache.example:6380' }).backend).toBe('redis');
    expect(() => cacheOptions({ REDIS_URL: 'http://cache.example' })).toThrow(ConfigurationError);
    expect(() => cacheOptions({ LOCK_FAIL_MODE: 'maybe' })).toThrow(ConfigurationError);
    expect(envBindings(CacheOptions).find((binding) => binding.variable === 'REDIS_URL')?.secret).toBe(true);
  });
});

describe('CacheModule', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  async function compile(env: Record<string, string | undefined>) {
    process.env = { ...saved, REDIS_URL: undefined, REDIS_KEY_PREFIX: undefined, ...env };
    const moduleRef = await Test.createTestingModule({ imports: [CacheModule] }).compile();
    return moduleRef.init();
  }

  it('provides the in-process adapters without REDIS_URL', async () => {
    const app = await compile({});
    expect(app.get(RateLimiter)).toBeInstanceOf(InProcessRateLimiter);
    expect(app.get(DistributedLock)).toBeInstanceOf(InProcessLock);
    expect(app.get(IdempotencyStore)).toBeInstanceOf(InProcessIdempotencyStore);
    expect(app.get(CacheStatus).status()).toEqual({ backend: 'in-process', state: 'ready' });
    await app.close();
  });

  it('provides the Redis adapters with REDIS_URL, connected at init and closed on shutdown', async () => {
    const prefix = `test:cache:${randomBytes(6).toString('hex')}:`;
    const app = await compile({ REDIS_URL: SHARED_REDIS_URL, REDIS_KEY_PREFIX: prefix });
    try {
      expect(app.get(RateLimiter)).toBeInstanceOf(RedisRateLimiter);
      expect(app.get(DistributedLock)).toBeInstanceOf(RedisLock);
      expect(app.get(IdempotencyStore)).toBeInstanceOf(RedisIdempotencyStore);
      const status = app.get(CacheStatus);
      expect(status.status()).toEqual({ backend: 'redis', state: 'ready', endpoint: '127.0.0.1:6379' });
      expect(await app.get(RateLimiter).consume('wired', { capacity: 2, refillPerSecond: 1 })).toEqual({ allowed: true, remaining: 1, retryAfterMs: 0 });

      await app.close();
      expect(status.status().state).toBe('closed');
    } finally {
      await deleteRedisKeys(SHARED_REDIS_URL, prefix);
    }
  });
});

/** A redis-server of this test's own (with a password), so it can be killed, frozen and restarted. */
class DisposableRedis {
  private process?: ChildProcess;
  readonly password = randomBytes(12).toString('hex');

  private constructor(readonly port: number) {}

  static async start(): Promise<DisposableRedis> {
    const server = new DisposableRedis(await freePort());
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://:${this.password}@127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.process = spawn(REDIS_SERVER, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--requirepass', this.password], {
      stdio: 'ignore',
    });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        await probe.ping();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(50);
      } finally {
        probe.disconnect();
      }
    }
  }

  async kill(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  freeze(): void {
    this.process?.kill('SIGSTOP');
  }

  thaw(): void {
    this.process?.kill('SIGCONT');
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

async function timedRejection(work: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  try {
    await work();
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
  throw new Error('expected the call to fail');
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/*
 * Jest 30 fails the running test on any unhandled rejection, so each of these tests also proves none
 * occurred; each ends with a short pause so late rejections still land inside it.
 */
describe('Redis adapters when Redis fails', () => {
  const COMMAND_TIMEOUT_MS = 250;
  /** Bound on any cache call while Redis is down or frozen: the command timeout plus scheduling slack. */
  const PROMPT_MS = COMMAND_TIMEOUT_MS + 200;
  const rule: TokenBucketRule = { capacity: 10, refillPerSecond: 1 };
  const logs = new LogCapture();
  let redis: DisposableRedis;
  let connection: RedisConnection;
  let adapters: ReturnType<typeof redisAdapters>;
  let heldBeforeOutage: LockHandle;

  beforeAll(async () => {
    Logger.overrideLogger(logs);
    redis = await DisposableRedis.start();
    const options = cacheOptions({ REDIS_URL: redis.url, CACHE_COMMAND_TIMEOUT: `${COMMAND_TIMEOUT_MS}ms` });
    connection = new RedisConnection(options);
    await connection.connect();
    adapters = redisAdapters(options, connection);
  });

  afterAll(async () => {
    redis.thaw();
    await connection.close();
    await redis.kill();
    Logger.overrideLogger(quiet);
  });

  it('serves from Redis while it is up', async () => {
    expect(connection.status()).toEqual({ backend: 'redis', state: 'ready', endpoint: `127.0.0.1:${redis.port}` });
    expect(await adapters.rateLimiter.consume('up', rule)).toEqual({ allowed: true, remaining: 9, retryAfterMs: 0 });
    heldBeforeOutage = (await adapters.lock.acquire('held', 60_000))!;
    expect(heldBeforeOutage).not.toBeNull();
    expect(await adapters.idempotency.begin('up', 60_000)).toEqual({ state: 'new' });
    expect(logs.count('log', 'Redis connected')).toBe(1);
  });

  it('bounds every call by the command timeout when Redis hangs', async () => {
    redis.freeze();
    try {
      const consumed = await timed(() => adapters.rateLimiter.consume('frozen', rule));
      expect(consumed.value).toEqual({ allowed: true, remaining: 9, retryAfterMs: 0 });
      const locked = await timed(() => adapters.lock.acquire('frozen', 60_000));
      expect(locked.value).toBeNull();
      const claimed = await timedRejection(() => adapters.idempotency.begin('frozen', 60_000));
      expect(claimed.error).toBeInstanceOf(CacheUnavailableError);

      for (const { ms } of [consumed, locked, claimed]) {
        expect(ms).toBeGreaterThanOrEqual(COMMAND_TIMEOUT_MS - 20);
        expect(ms).toBeLessThan(PROMPT_MS);
      }
      expect(connection.status()).toMatchObject({ state: 'unavailable', lastError: 'Command timed out' });
    } finally {
      redis.thaw();
    }
    // The connection never dropped: the next call is served again.
    await eventually(async () => (await adapters.rateLimiter.consume('thawed', rule, { onUnavailable: 'closed' })).allowed, 5_000);
    expect(connection.status().state).toBe('ready');
    expect(logs.count('warn', 'Redis is unavailable:')).toBe(1);
    expect(logs.count('log', 'Redis is available again')).toBe(1);
    await sleep(300);
  });

  it('follows each fail mode promptly once Redis is killed, never hanging or crashing', async () => {
    await redis.kill();

    const calls = {
      rateOpen: await timed(() => adapters.rateLimiter.consume('down', rule, { cost: 3 })),
      rateClosed: await timed(() => adapters.rateLimiter.consume('down', rule, { onUnavailable: 'closed' })),
      blockOpen: await timed(() => adapters.rateLimiter.block('down', rule, Date.now() + 1_000)),
      blockClosed: await timedRejection(() => adapters.rateLimiter.block('down', rule, Date.now() + 1_000, { onUnavailable: 'closed' })),
      lockClosed: await timed(() => adapters.lock.acquire('down', 60_000)),
      lockOpen: await timed(() => adapters.lock.acquire('down', 60_000, { onUnavailable: 'open' })),
      lockOpenAgain: await timed(() => adapters.lock.acquire('down', 60_000, { onUnavailable: 'open' })),
      staleRelease: await timed(() => heldBeforeOutage.release()),
      staleExtend: await timed(() => heldBeforeOutage.extend(60_000)),
      beginClosed: await timedRejection(() => adapters.idempotency.begin('down', 60_000)),
      beginOpen: await timed(() => adapters.idempotency.begin('down', 60_000, { onUnavailable: 'open' })),
      complete: await timed(() => adapters.idempotency.complete('down', { ok: true }, 60_000)),
      release: await timed(() => adapters.idempotency.release('down')),
    };

    expect(calls.rateOpen.value).toEqual({ allowed: true, remaining: 7, retryAfterMs: 0 });
    expect(calls.rateClosed.value).toEqual({ allowed: false, remaining: 0, retryAfterMs: 1_000 });
    expect(calls.blockOpen.value).toBeUndefined();
    expect(calls.blockClosed.error).toBeInstanceOf(CacheUnavailableError);
    expect(calls.lockClosed.value).toBeNull();
    // Fail open falls back to an in-process lock: this replica still serialises itself.
    expect(calls.lockOpen.value).not.toBeNull();
    expect(calls.lockOpenAgain.value).toBeNull();
    expect(await calls.lockOpen.value!.release()).toBe(true);
    expect(calls.staleRelease.value).toBe(false);
    expect(calls.staleExtend.value).toBe(false);
    expect(calls.beginClosed.error).toBeInstanceOf(CacheUnavailableError);
    expect(calls.beginOpen.value).toEqual({ state: 'new' });
    expect(calls.complete.value).toBeUndefined();
    expect(calls.release.value).toBeUndefined();
    for (const [name, { ms }] of Object.entries(calls)) expect({ name, prompt: ms < PROMPT_MS }).toEqual({ name, prompt: true });

    const status = connection.status();
    expect(status).toMatchObject({ backend: 'redis', state: 'unavailable', endpoint: `127.0.0.1:${redis.port}` });
    expect(status.lastError).toEqual(expect.any(String));

    // Reconnection keeps failing in the background for a while: the outage is still logged once.
    await sleep(1_500);
    expect((await adapters.rateLimiter.consume('still-down', rule, { onUnavailable: 'closed' })).allowed).toBe(false);
    expect(logs.count('warn', 'Redis is unavailable:')).toBe(2);
  });

  it('recovers by itself when Redis comes back on the same port', async () => {
    await redis.start();

    await eventually(async () => (await adapters.rateLimiter.consume('recovered', rule, { onUnavailable: 'closed' })).allowed, 10_000);
    expect(connection.status()).toEqual({ backend: 'redis', state: 'ready', endpoint: `127.0.0.1:${redis.port}` });
    const lock = await adapters.lock.acquire('recovered', 60_000);
    expect(lock).not.toBeNull();
    expect(await adapters.lock.acquire('recovered', 60_000, { onUnavailable: 'open' })).toBeNull();
    expect(await lock!.release()).toBe(true);
    expect(await adapters.idempotency.begin('recovered', 60_000)).toEqual({ state: 'new' });
    expect(await adapters.idempotency.begin('recovered', 60_000)).toEqual({ state: 'in-progress' });

    expect(logs.count('warn', 'Redis is unavailable:')).toBe(2);
    expect(logs.count('log', 'Redis is available again')).toBe(2);
    expect(logs.text()).not.toContain(redis.password);
    await sleep(300);
  });
});
