import { Logger, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import type { RedisConnection } from '../cache/redis-connection';
import { InProcessLiveEvents, LiveEvent, LiveEvents, LiveListener } from './live-events';

/** A watching process refreshes its tenants' presence this often; the presence outlives three refreshes. */
const PRESENCE_REFRESH_MS = 10_000;
const PRESENCE_TTL_MS = 3 * PRESENCE_REFRESH_MS + 1_000;
/** How long a publisher trusts what it last read about a tenant's presence. */
const PRESENCE_CACHE_MS = 5_000;
const MAX_CACHED_PRESENCES = 10_000;

/**
 * Every replica's consoles on one feed: events go out as Redis PUBLISH on a channel per tenant, and a
 * replica with listeners for a tenant subscribes to its channel on a connection of its own (a connection
 * in subscriber mode can run nothing else). A publisher only publishes for tenants someone watches (a
 * presence key the watchers refresh), so unwatched tenants cost one GET per tenant every few seconds.
 */
export class RedisLiveEvents extends LiveEvents implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisLiveEvents.name);
  private readonly local = new InProcessLiveEvents();
  private readonly presence = new Map<string, { watched: boolean; until: number }>();
  private subscriber?: Redis;
  private refresher?: NodeJS.Timeout;

  constructor(private readonly connection: RedisConnection) {
    super();
  }

  publish(tenantId: string, event: LiveEvent): void {
    if (!this.watched(tenantId)) return;
    const message = JSON.stringify(event);
    void this.connection.run('live.publish', (redis) => redis.publish(this.connection.key('live', tenantId), message)).catch(() => undefined);
  }

  subscribe(tenantId: string, listener: LiveListener): () => void {
    const first = !this.local.watching(tenantId);
    const unsubscribe = this.local.subscribe(tenantId, listener);
    if (first) {
      const subscriber = this.subscriberConnection();
      subscriber
        .subscribe(this.connection.key('live', tenantId))
        .catch((error: Error) => this.logger.warn({ msg: 'Live feed subscription failed', tenantId, error: error.message }));
      this.markPresent([tenantId]);
    }
    return () => {
      unsubscribe();
      if (!this.local.watching(tenantId)) void this.subscriber?.unsubscribe(this.connection.key('live', tenantId)).catch(() => undefined);
    };
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.refresher);
    this.subscriber?.disconnect();
  }

  private watched(tenantId: string): boolean {
    const known = this.presence.get(tenantId);
    const now = Date.now();
    if (known && known.until > now) return known.watched;
    if (this.presence.size >= MAX_CACHED_PRESENCES) this.presence.clear();
    // Until the read answers, publish: a console that just opened must not miss its first events.
    this.presence.set(tenantId, { watched: known?.watched ?? true, until: now + PRESENCE_CACHE_MS });
    void this.connection
      .run('live.presence', (redis) => redis.exists(this.connection.key('live', `watching:${tenantId}`)))
      .then((count) => this.presence.set(tenantId, { watched: count > 0, until: Date.now() + PRESENCE_CACHE_MS }))
      .catch(() => undefined);
    return known?.watched ?? true;
  }

  private markPresent(tenants: readonly string[]): void {
    if (tenants.length === 0) return;
    void this.connection
      .run('live.presence', (redis) => {
        const batch = redis.multi();
        for (const tenantId of tenants) batch.set(this.connection.key('live', `watching:${tenantId}`), '1', 'PX', PRESENCE_TTL_MS);
        return batch.exec();
      })
      .catch(() => undefined);
  }

  private subscriberConnection(): Redis {
    if (this.subscriber) return this.subscriber;
    const subscriber = this.connection.subscriberConnection();
    subscriber.on('message', (channel: string, message: string) => {
      const tenantId = channel.slice(this.connection.key('live', '').length);
      let event: LiveEvent;
      try {
        event = JSON.parse(message) as LiveEvent;
      } catch {
        return;
      }
      this.local.publish(tenantId, event);
    });
    subscriber.on('error', () => undefined);
    this.refresher = setInterval(() => this.markPresent(this.local.tenants()), PRESENCE_REFRESH_MS);
    this.refresher.unref();
    return (this.subscriber = subscriber);
  }
}
