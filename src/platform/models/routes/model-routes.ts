import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { newId } from '../../persistence/ids';
import { IntegrationError } from '../../resilience/failure-classifier';
import type { FailureCategory } from '../../runs/entities/integration-failure.entity';
import { IntegrationsOptions } from '../../integrations/integrations.options';
import { ModelRoute, ModelTarget } from './model-route.entity';

/** What fallback moves on for when a route says nothing: the failures that waiting or another vendor can cure. */
export const DEFAULT_FALLBACK_ON: readonly FailureCategory[] = ['Transient', 'RateLimited'];

export interface NewModelRoute {
  name: string;
  description?: string;
  targets: ModelTarget[];
  fallbackOn?: FailureCategory[];
}

export class ModelRouteExistsError extends IntegrationError {
  constructor(name: string) {
    super('Validation', 'model_route_exists', `A model route named ${name} already exists`);
  }
}

const MAX_CACHED = 10_000;

/**
 * The tenants' model routes. Every model call that names a route reads it, so reads are cached for
 * CONNECTION_CACHE_TTL (like connections): a change made by this process is seen at once, by other
 * processes within the TTL.
 */
@Injectable()
export class ModelRoutes {
  private readonly cache = new Map<string, { route: ModelRoute | null; expiresAt: number }>();

  constructor(
    @InjectRepository(ModelRoute) private readonly routes: Repository<ModelRoute>,
    private readonly options: IntegrationsOptions,
  ) {}

  async create(tenantId: string, route: NewModelRoute): Promise<ModelRoute> {
    const row = this.routes.create({
      id: newId('mroute'),
      tenantId,
      name: route.name,
      description: route.description ?? null,
      targets: route.targets,
      fallbackOn: route.fallbackOn ?? [...DEFAULT_FALLBACK_ON],
    });
    if (await this.routes.existsBy({ tenantId, name: route.name })) throw new ModelRouteExistsError(route.name);
    try {
      await this.routes.insert(row);
    } catch (error) {
      // Created meanwhile by a concurrent request: the unique index said so.
      if (await this.routes.existsBy({ tenantId, name: route.name })) throw new ModelRouteExistsError(route.name);
      throw error;
    }
    this.cache.delete(cacheKey(tenantId, route.name));
    return row;
  }

  async replace(tenantId: string, name: string, route: Omit<NewModelRoute, 'name'>): Promise<ModelRoute | null> {
    const existing = await this.routes.findOneBy({ tenantId, name });
    if (!existing) return null;
    Object.assign(existing, { description: route.description ?? null, targets: route.targets, fallbackOn: route.fallbackOn ?? [...DEFAULT_FALLBACK_ON] });
    const saved = await this.routes.save(existing);
    this.cache.delete(cacheKey(tenantId, name));
    return saved;
  }

  async delete(tenantId: string, name: string): Promise<boolean> {
    const result = await this.routes.delete({ tenantId, name });
    this.cache.delete(cacheKey(tenantId, name));
    return (result.affected ?? 0) > 0;
  }

  list(tenantId: string): Promise<ModelRoute[]> {
    return this.routes.find({ where: { tenantId }, order: { name: 'ASC' } });
  }

  async find(tenantId: string, name: string): Promise<ModelRoute | null> {
    const key = cacheKey(tenantId, name);
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.route;
    const route = await this.routes.findOneBy({ tenantId, name });
    if (this.options.connectionCacheTtlMs > 0) {
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, { route, expiresAt: Date.now() + this.options.connectionCacheTtlMs });
    }
    return route;
  }
}

function cacheKey(tenantId: string, name: string): string {
  return `${tenantId}\u0000${name}`;
}
