import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { IntegrationsOptions } from '../integrations/integrations.options';
import { newId } from '../persistence/ids';
import { IntegrationError } from '../resilience/failure-classifier';
import type { MessageChannel } from './message-contracts';
import { MessageRoute } from './message-route.entity';

export interface MessageRouteBody {
  description?: string;
  connectionIds: string[];
}

export class MessageRouteNotFoundError extends IntegrationError {
  constructor(channel: MessageChannel, name: string) {
    super('Validation', 'message_route_not_found', `No ${channel} route named ${name}`);
  }
}

const MAX_CACHED = 10_000;

/**
 * The tenants' message routes, per channel. Every send that names a route reads it, so reads are
 * cached for CONNECTION_CACHE_TTL: a change made by this process is seen at once, by others within the TTL.
 */
@Injectable()
export class MessageRoutes {
  private readonly cache = new Map<string, { route: MessageRoute | null; expiresAt: number }>();

  constructor(
    @InjectRepository(MessageRoute) private readonly routes: Repository<MessageRoute>,
    private readonly options: IntegrationsOptions,
  ) {}

  /** Creates or replaces the route: answers it and whether it is new. */
  async put(tenantId: string, channel: MessageChannel, name: string, body: MessageRouteBody): Promise<{ route: MessageRoute; created: boolean }> {
    const existing = await this.routes.findOneBy({ tenantId, channel, name });
    this.cache.delete(cacheKey(tenantId, channel, name));
    if (existing) {
      existing.connectionIds = body.connectionIds;
      existing.description = body.description ?? null;
      return { route: await this.routes.save(existing), created: false };
    }
    const route = this.routes.create({ id: newId('mroute'), tenantId, channel, name, description: body.description ?? null, connectionIds: body.connectionIds });
    try {
      await this.routes.insert(route);
    } catch (error) {
      // Created meanwhile by a concurrent request: replace that one instead.
      if (await this.routes.existsBy({ tenantId, channel, name })) return this.put(tenantId, channel, name, body);
      throw error;
    }
    return { route, created: true };
  }

  list(tenantId: string, channel: MessageChannel): Promise<MessageRoute[]> {
    return this.routes.find({ where: { tenantId, channel }, order: { name: 'ASC' } });
  }

  async find(tenantId: string, channel: MessageChannel, name: string): Promise<MessageRoute | null> {
    const key = cacheKey(tenantId, channel, name);
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.route;
    const route = await this.routes.findOneBy({ tenantId, channel, name });
    if (this.options.connectionCacheTtlMs > 0) {
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      this.cache.set(key, { route, expiresAt: Date.now() + this.options.connectionCacheTtlMs });
    }
    return route;
  }

  /** The route's connections in order; a missing route is a Validation failure (the message fails, it is not retried). */
  async connectionsOf(tenantId: string, channel: MessageChannel, name: string): Promise<string[]> {
    const route = await this.find(tenantId, channel, name);
    if (!route) throw new MessageRouteNotFoundError(channel, name);
    return route.connectionIds;
  }

  async delete(tenantId: string, channel: MessageChannel, name: string): Promise<boolean> {
    this.cache.delete(cacheKey(tenantId, channel, name));
    const result = await this.routes.delete({ tenantId, channel, name });
    return (result.affected ?? 0) > 0;
  }
}

function cacheKey(tenantId: string, channel: MessageChannel, name: string): string {
  return `${tenantId}\n${channel}\n${name}`;
}
