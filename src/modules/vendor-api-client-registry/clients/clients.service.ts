import { BadRequestException, ConflictException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { TenantContext } from '../../../platform/context/tenant-context';
import { EgressClient } from '../../../platform/egress/egress-client';
import { EgressPolicy } from '../../../platform/egress/egress-policy';
import { refusedUrlAsBadRequest } from '../../../platform/http/refused-url';
import { ExternalApiClient } from '../../../platform/integrations/entities/external-api-client.entity';
import { IntegrationProvider } from '../../../platform/integrations/entities/integration-provider.entity';
import { IntegrationEvents } from '../../../platform/integrations/integration-events';
import { GLOBAL_TENANT } from '../../../platform/persistence/columns';
import { newId } from '../../../platform/persistence/ids';
import { RowWriter } from '../../../platform/persistence/row-writer';
import { RegisterClientDto } from './clients.dto';
import { EVENTS } from '../../../platform/messaging/contracts';

export interface ClientView {
  id: string;
  providerId: string;
  version: number;
  baseUrl: string;
  apiVersion: string | null;
  rateLimitProfile: ExternalApiClient['rateLimitProfile'];
  retryPolicy: ExternalApiClient['retryPolicy'];
  status: string;
  scope: 'built-in' | 'tenant';
  createdAt: string;
}

const DEFAULT_RATE = { requestsPerSecond: 50, burst: 100 };
const DEFAULT_RETRY = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 300_000, retryOn: ['Transient', 'RateLimited'] as Array<'Transient' | 'RateLimited'> };

/**
 * RegisterExternalApiClient: versioned, immutable registrations. Registering again makes a new version
 * and supersedes the previous one; connections without their own settings follow the current version.
 */
@Injectable()
export class ClientsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly egress: EgressClient,
    private readonly egressPolicy: EgressPolicy,
    private readonly events: IntegrationEvents,
    private readonly tenant: TenantContext,
    private readonly writer: RowWriter,
  ) {}

  async register(request: RegisterClientDto): Promise<ClientView> {
    const tenantId = this.tenant.tenantId;
    const provider = await this.dataSource.getRepository(IntegrationProvider).findOneBy({ id: request.providerId, tenantId: In([tenantId, GLOBAL_TENANT]) });
    if (!provider) throw new BadRequestException(`Provider ${request.providerId} does not exist`);
    await refusedUrlAsBadRequest(async () => {
      this.egressPolicy.checkBaseUrl(request.baseUrl);
      await this.egress.assertDestinationAllowed(request.baseUrl);
    });
    const repository = this.dataSource.getRepository(ExternalApiClient);
    const latest = await repository.findOne({ where: { tenantId, providerId: provider.id }, order: { version: 'DESC' } });
    const client = Object.assign(new ExternalApiClient(), {
      id: newId('client'),
      tenantId,
      providerId: provider.id,
      version: (latest?.version ?? 0) + 1,
      baseUrl: request.baseUrl,
      apiVersion: request.apiVersion ?? null,
      rateLimitProfile: request.rateLimitProfile ? { ...request.rateLimitProfile } : DEFAULT_RATE,
      retryPolicy: request.retryPolicy ? { ...request.retryPolicy, retryOn: request.retryPolicy.retryOn ?? DEFAULT_RETRY.retryOn } : DEFAULT_RETRY,
      status: 'Active' as const,
      createdAt: new Date(),
    });
    try {
      await this.writer.write({
        updates: [{ target: ExternalApiClient, where: { tenantId, providerId: provider.id, status: 'Active' }, set: { status: 'Superseded' } }],
        inserts: [{ target: ExternalApiClient, rows: [client] }],
      });
    } catch (error) {
      // Two registrations at once: the unique (tenant, provider, version) index lets one win.
      if (await repository.existsBy({ tenantId, providerId: provider.id, version: client.version })) {
        throw new ConflictException(`Another registration of a ${request.providerId} client happened at the same time; retry`, { cause: error });
      }
      throw error;
    }
    await this.events.publishAfterCommit(
      EVENTS.ExternalApiClientRegistered,
      { clientId: client.id, providerId: client.providerId, version: client.version, baseUrl: client.baseUrl, apiVersion: client.apiVersion },
      { tenantId, subject: client.id },
    );
    return toView(client);
  }

  async list(providerId?: string): Promise<ClientView[]> {
    const rows = await this.dataSource.getRepository(ExternalApiClient).find({
      where: { tenantId: In([this.tenant.tenantId, GLOBAL_TENANT]), ...(providerId ? { providerId } : {}) },
      order: { providerId: 'ASC', version: 'DESC' },
      take: 500,
    });
    return rows.map(toView);
  }
}

function toView(row: ExternalApiClient): ClientView {
  return {
    id: row.id,
    providerId: row.providerId,
    version: row.version,
    baseUrl: row.baseUrl,
    apiVersion: row.apiVersion,
    rateLimitProfile: row.rateLimitProfile,
    retryPolicy: row.retryPolicy,
    status: row.status,
    scope: row.tenantId === GLOBAL_TENANT ? 'built-in' : 'tenant',
    createdAt: row.createdAt.toISOString(),
  };
}
