import { Injectable, NotFoundException } from '@nestjs/common';
import { RequestContext } from '../../../platform/context/request-context';
import { ConnectionResolver } from '../../../platform/integrations/connections/connection-resolver';
import { IntegrationError } from '../../../platform/resilience/failure-classifier';
import { ModelRoute } from '../../../platform/models/routes/model-route.entity';
import { ModelRoutes } from '../../../platform/models/routes/model-routes';
import { VendorCatalogue } from '../../../platform/vendors/vendor-catalogue';
import { CreateModelRouteDto, ModelRouteBodyDto } from './model-route.dto';

export interface ModelRouteView {
  id: string;
  name: string;
  description: string | null;
  targets: { connectionId: string; model: string }[];
  fallbackOn: string[];
  createdAt: string;
  updatedAt: string;
}

/** The tenant's model routes: every target must be one of its own model connections, not retired. */
@Injectable()
export class ModelRoutesService {
  constructor(
    private readonly routes: ModelRoutes,
    private readonly resolver: ConnectionResolver,
    private readonly catalogue: VendorCatalogue,
  ) {}

  async create(request: CreateModelRouteDto): Promise<ModelRouteView> {
    const tenantId = tenant();
    await this.checkTargets(tenantId, request);
    return view(await this.routes.create(tenantId, request));
  }

  async replace(name: string, request: ModelRouteBodyDto): Promise<ModelRouteView> {
    const tenantId = tenant();
    await this.checkTargets(tenantId, request);
    const route = await this.routes.replace(tenantId, name, request);
    if (!route) throw notFound(name);
    return view(route);
  }

  async list(): Promise<ModelRouteView[]> {
    return (await this.routes.list(tenant())).map(view);
  }

  async get(name: string): Promise<ModelRouteView> {
    const route = await this.routes.find(tenant(), name);
    if (!route) throw notFound(name);
    return view(route);
  }

  async delete(name: string): Promise<void> {
    if (!(await this.routes.delete(tenant(), name))) throw notFound(name);
  }

  private async checkTargets(tenantId: string, request: ModelRouteBodyDto): Promise<void> {
    for (const [index, target] of request.targets.entries()) {
      const profile = await this.resolver.resolve(tenantId, target.connectionId);
      if (!this.catalogue.models(profile.provider.id)) {
        throw IntegrationError.validation(
          'not_a_model_connection',
          `targets[${index}]: connection ${target.connectionId} (provider ${profile.provider.id}) is not a model connection`,
        );
      }
      if (profile.connection.status === 'Retired') throw IntegrationError.validation('connection_retired', `targets[${index}]: connection ${target.connectionId} is retired`);
    }
  }
}

function tenant(): string {
  const tenantId = RequestContext.current()?.tenantId;
  if (!tenantId) throw new Error('No tenant in scope');
  return tenantId;
}

function notFound(name: string): NotFoundException {
  return new NotFoundException(`Model route ${name} not found`);
}

function view(route: ModelRoute): ModelRouteView {
  return {
    id: route.id,
    name: route.name,
    description: route.description,
    targets: route.targets.map(({ connectionId, model }) => ({ connectionId, model })),
    fallbackOn: route.fallbackOn,
    createdAt: route.createdAt.toISOString(),
    updatedAt: route.updatedAt.toISOString(),
  };
}
