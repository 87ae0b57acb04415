import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { TenantContext } from '../../../platform/context/tenant-context';
import { EgressPolicy } from '../../../platform/egress/egress-policy';
import { refusedUrlAsBadRequest } from '../../../platform/http/refused-url';
import { IntegrationEvents } from '../../../platform/integrations/integration-events';
import { GLOBAL_TENANT } from '../../../platform/persistence/columns';
import { IntegrationProvider } from '../../../platform/integrations/entities/integration-provider.entity';
import { VendorCatalogue } from '../../../platform/vendors/vendor-catalogue';
import { ProviderCategory } from '../../../platform/vendors/vendor-descriptor';
import { RegisterProviderDto } from './register-provider.dto';
import { EVENTS } from '../../../platform/messaging/contracts';

export interface ProviderView {
  id: string;
  displayName: string;
  category: ProviderCategory;
  capabilities: string[];
  authModel: string;
  authModes: string[] | null;
  webhookVerifier: string | null;
  defaultBaseUrl: string | null;
  docsUrl: string | null;
  status: string;
  scope: 'built-in' | 'tenant';
  createdAt: string;
  updatedAt: string;
}

/** Providers a tenant can see: the built-in ones and the ones it registered itself, never another tenant's. */
@Injectable()
export class ProvidersService {
  constructor(
    @InjectRepository(IntegrationProvider) private readonly providers: Repository<IntegrationProvider>,
    private readonly tenant: TenantContext,
    private readonly events: IntegrationEvents,
    private readonly egressPolicy: EgressPolicy,
    private readonly catalogue: VendorCatalogue,
  ) {}

  async list(filter: { category?: ProviderCategory } = {}): Promise<ProviderView[]> {
    const tenantIds = [this.tenant.tenantId, GLOBAL_TENANT];
    const rows = await this.providers.find({
      where: tenantIds.map((tenantId) => ({ tenantId, ...(filter.category ? { category: filter.category } : {}) })),
      order: { id: 'ASC' },
    });
    return rows.map(toView);
  }

  async get(id: string): Promise<ProviderView> {
    const row = await this.findVisible(id);
    if (!row) throw new NotFoundException(`Provider ${id} not found`);
    return toView(row);
  }

  async register(request: RegisterProviderDto): Promise<ProviderView> {
    if (await this.findVisible(request.id)) throw new ConflictException(`Provider ${request.id} already exists`);
    if (!this.catalogue.authStrategy(request.authModel)) throw new BadRequestException(`authModel must be one of: ${this.catalogue.authModes.join(', ')}`);
    if (request.webhookVerifier !== undefined && !this.catalogue.verifier(request.webhookVerifier)) {
      throw new BadRequestException(`webhookVerifier must be one of: ${this.catalogue.verifierNames.join(', ')}`);
    }
    const { defaultBaseUrl } = request;
    if (defaultBaseUrl !== undefined) await refusedUrlAsBadRequest(() => this.egressPolicy.checkBaseUrl(defaultBaseUrl));
    const row = this.providers.create({
      tenantId: this.tenant.tenantId,
      id: request.id,
      displayName: request.displayName,
      category: request.category,
      authModel: request.authModel,
      webhookVerifier: request.webhookVerifier ?? null,
      defaultBaseUrl: request.defaultBaseUrl ?? null,
      authModes: null,
      docsUrl: null,
      capabilities: request.capabilities ?? [],
      status: 'Active',
      builtIn: false,
    });
    let saved: IntegrationProvider;
    try {
      saved = await this.providers.save(row);
    } catch (error) {
      // Two concurrent registrations of the same id: the primary key decides, the loser gets 409.
      if (await this.findVisible(request.id)) throw new ConflictException(`Provider ${request.id} already exists`);
      if (!this.catalogue.authStrategy(request.authModel)) throw new BadRequestException(`authModel must be one of: ${this.catalogue.authModes.join(', ')}`);
      if (request.webhookVerifier !== undefined && !this.catalogue.verifier(request.webhookVerifier)) {
        throw new BadRequestException(`webhookVerifier must be one of: ${this.catalogue.verifierNames.join(', ')}`);
      }
      throw error;
    }
    const view = toView(saved);
    await this.events.publishAfterCommit(EVENTS.IntegrationProviderRegistered, view, { tenantId: saved.tenantId, subject: saved.id });
    return view;
  }

  private findVisible(id: string): Promise<IntegrationProvider | null> {
    return this.providers.findOne({
      where: [
        { tenantId: this.tenant.tenantId, id },
        { tenantId: GLOBAL_TENANT, id },
      ],
    });
  }
}

function toView(row: IntegrationProvider): ProviderView {
  return {
    id: row.id,
    displayName: row.displayName,
    category: row.category,
    capabilities: row.capabilities,
    authModel: row.authModel,
    authModes: row.authModes,
    webhookVerifier: row.webhookVerifier,
    defaultBaseUrl: row.defaultBaseUrl,
    docsUrl: row.docsUrl,
    status: row.status,
    scope: row.tenantId === GLOBAL_TENANT ? 'built-in' : 'tenant',
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
