import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis, { ReplyError } from 'ioredis';
import { CacheOptions } from './cache.options';
import { CacheUnavailableError } from './cache.ports';
import { CacheBackendState, CacheBackendStatus, CacheStatus } from './cache-status';
import { CacheRedis, withCacheScripts } from './redis-scripts';

/** A TLS handshake to a managed Redis may take a while; an unreachable host must not stall boot longer. */
const CONNECT_TIMEOUT_MS = 5_000;
const MAX_RECONNECT_DELAY_MS = 2_000;

/** 100 ms, 200 ms, 400 ms ... up to 2 s, with jitter so replicas do not reconnect in lockstep; forever. */
function reconnectDelayMs(attempt: number): number {
  const backoff = Math.min(MAX_RECONNECT_DELAY_MS, 100 * 2 ** Math.min(attempt - 1, 10));
  return Math.round(backoff * (0.8 + Math.random() * 0.2));
}

/**
 * The process's one Redis connection, shared by the cache adapters. Calls fail fast instead of queueing
 * while disconnected, and none outlives CACHE_COMMAND_TIMEOUT; reconnection goes on in the background
 * forever. The status follows what the connection and the calls observe; an outage is logged when it
 * starts and when it ends, not on every attempt.
 */
export class RedisConnection extends CacheStatus implements OnModuleInit, OnApplicationShutdown {
  private closing?: Promise<void>;
  private readonly logger = new Logger(RedisConnection.name);
  private readonly redis: CacheRedis;
  private readonly endpoint: string;
  private state: CacheBackendState = 'connecting';
  private lastError?: string;
  private hasBeenReady = false;

  constructor(private readonly options: CacheOptions) {
    super();
    if (!options.redisUrl) throw new Error('RedisConnection needs REDIS_URL');
    const url = new URL(options.redisUrl);
    this.endpoint = `${url.hostname}:${url.port || '6379'}`;
    this.redis = withCacheScripts(
      new Redis(options.redisUrl, {
        lazyConnect: true,
        enableOfflineQueue: false,
        // Commands in flight when the connection drops fail at once and are not replayed after the
        // reconnect: the caller has moved on by then, and a replayed consume would spend twice.
        maxRetriesPerRequest: 0,
        autoResendUnfulfilledCommands: false,
        commandTimeout: options.commandTimeoutMs,
        connectTimeout: CONNECT_TIMEOUT_MS,
        retryStrategy: reconnectDelayMs,
      }),
    );
    this.redis.on('ready', () => this.becameReady());
    this.redis.on('error', (error: Error) => this.becameUnavailable(error.message));
    this.redis.on('close', () => this.becameUnavailable('connection closed'));
    this.redis.on('end', () => (this.state = 'closed'));
  }

  /** A key in one of the cache's namespaces, under REDIS_KEY_PREFIX. */
  key(namespace: 'rate' | 'lock' | 'idem' | 'live', key: string): string {
    return `${this.options.keyPrefix}${namespace}:${key}`;
  }

  /**
   * Runs Redis commands; any failure (down, timed out, refused by the server) is a CacheUnavailableError.
   * Outcomes also move the status: a dropped socket or a frozen server shows in calls before any event.
   */
  async run<T>(operation: string, work: (redis: CacheRedis) => Promise<T>): Promise<T> {
    let value: T;
    try {
      value = await work(this.redis);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof ReplyError) {
        // The server answered with an error (OOM, READONLY after a failover...): it is up, but refuses.
        this.logger.warn({ msg: 'Redis refused a cache command', operation, error: message });
      } else {
        this.logger.debug({ msg: 'Cache command failed', operation, error: message });
        this.becameUnavailable(message);
      }
      throw new CacheUnavailableError(error);
    }
    this.becameReady();
    return value;
  }

  /**
   * A connection of its own for SUBSCRIBE (one in subscriber mode can run nothing else): it queues while
   * disconnected and resubscribes after a reconnect, since a subscription is a standing request, not a call.
   */
  subscriberConnection(): Redis {
    return this.redis.duplicate({ lazyConnect: false, enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined, autoResubscribe: true });
  }

  status(): CacheBackendStatus {
    return { backend: 'redis', state: this.state, endpoint: this.endpoint, ...(this.state === 'unavailable' ? { lastError: this.lastError } : {}) };
  }

  /** Waits for the first connection attempt to succeed or fail (never throws); retries go on in the background. */
  async connect(): Promise<void> {
    if (this.redis.status !== 'wait') return;
    await this.redis.connect().catch(() => undefined);
  }

  onModuleInit(): Promise<void> {
    return this.connect();
  }

  /** Idempotent: Nest reaches this connection through more than one provider (the connection and CacheStatus). */
  close(): Promise<void> {
    this.closing ??= this.quit();
    return this.closing;
  }

  private async quit(): Promise<void> {
    if (this.redis.status === 'end') return;
    this.state = 'closed';
    if (this.redis.status === 'ready') {
      try {
        await this.redis.quit();
        return;
      } catch {
        // fall through: drop the socket
      }
    }
    this.redis.disconnect();
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  private becameReady(): void {
    if (this.state === 'ready' || this.state === 'closed') return;
    this.logger.log({ msg: this.hasBeenReady ? 'Redis is available again' : 'Redis connected', endpoint: this.endpoint });
    this.state = 'ready';
    this.lastError = undefined;
    this.hasBeenReady = true;
  }

  private becameUnavailable(reason: string): void {
    if (this.state === 'unavailable' || this.state === 'closed' || this.redis.status === 'end') return;
    this.state = 'unavailable';
    this.lastError = reason;
    this.logger.warn({ msg: 'Redis is unavailable: cache calls follow their fail mode until it answers again', endpoint: this.endpoint, error: reason });
  }
}
