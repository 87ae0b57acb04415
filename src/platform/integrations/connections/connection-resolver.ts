import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { GLOBAL_TENANT } from '../../persistence/columns';
import { IntegrationError } from '../../resilience/failure-classifier';
import { ExternalApiClient } from '../entities/external-api-client.entity';
import { IntegrationConnection } from '../entities/integration-connection.entity';
import { IntegrationCredential } from '../entities/integration-credential.entity';
import { IntegrationProvider } from '../entities/integration-provider.entity';
import { IntegrationsOptions } from '../integrations.options';
import { VendorCatalogue } from '../../vendors/vendor-catalogue';
import { buildProfile, ConnectionProfile } from './connection-profile';

/** The connection does not exist for this tenant (another tenant's connection is the same answer: not found). */
export class ConnectionNotFoundError extends IntegrationError {
  constructor(readonly connectionId: string) {
    super('Validation', 'connection_not_found', `Connection ${connectionId} not found`);
  }
}

const MAX_CACHED = 10_000;

/**
 * Reads a connection with its provider, current client and credential, and caches the result for
 * CONNECTION_CACHE_TTL: every vendor call starts here, and most calls hit a connection read moments ago.
 * Changes made by this process invalidate at once; other processes see them within the TTL.
 */
@Injectable()
export class ConnectionResolver {
  private readonly cache = new Map<string, { profile: ConnectionProfile; expiresAt: number }>();

  constructor(
    @InjectRepository(IntegrationConnection) private readonly connections: Repository<IntegrationConnection>,
    @InjectRepository(IntegrationProvider) private readonly providers: Repository<IntegrationProvider>,
    @InjectRepository(ExternalApiClient) private readonly clients: Repository<ExternalApiClient>,
    @InjectRepository(IntegrationCredential) private readonly credentials: Repository<IntegrationCredential>,
    private readonly options: IntegrationsOptions,
    private readonly catalogue: VendorCatalogue,
  ) {}

  async resolve(tenantId: string, connectionId: string, { fresh = false } = {}): Promise<ConnectionProfile> {
    const key = `${tenantId}\u0000${connectionId}`;
    const cached = this.cache.get(key);
    if (!fresh && cached && cached.expiresAt > Date.now()) return cached.profile;

    const connection = await this.connections.findOneBy({ tenantId, id: connectionId });
    if (!connection) {
      this.cache.delete(key);
      throw new ConnectionNotFoundError(connectionId);
    }
    const [providers, client, credential] = await Promise.all([
      this.providers.findBy({ id: connection.providerId, tenantId: In([tenantId, GLOBAL_TENANT]) }),
      this.currentClient(tenantId, connection.providerId),
      connection.credentialId ? this.credentials.findOneBy({ tenantId, id: connection.credentialId }) : Promise.resolve(null),
    ]);
    const provider = providers.find((row) => row.tenantId === tenantId) ?? providers[0];
    if (!provider) throw IntegrationError.validation('provider_not_found', `Provider ${connection.providerId} of connection ${connectionId} no longer exists`);
    const profile = buildProfile({ connection, provider, client, credential }, this.options, this.catalogue);
    if (this.options.connectionCacheTtlMs > 0) this.remember(key, profile);
    return profile;
  }

  /** The tenant's own Active client of the provider, else the global one. */
  async currentClient(tenantId: string, providerId: string): Promise<ExternalApiClient | null> {
    const clients = await this.clients.find({
      where: { providerId, status: 'Active', tenantId: In([tenantId, GLOBAL_TENANT]) },
      order: { version: 'DESC' },
    });
    return clients.find((client) => client.tenantId === tenantId) ?? clients[0] ?? null;
  }

  invalidate(tenantId: string, connectionId: string): void {
    this.cache.delete(`${tenantId}\u0000${connectionId}`);
  }

  /** Forgets every cached connection that uses the credential (after a rotation or refresh failure). */
  invalidateCredential(tenantId: string, credentialId: string): void {
    for (const [key, { profile }] of this.cache) {
      if (profile.connection.tenantId === tenantId && profile.connection.credentialId === credentialId) this.cache.delete(key);
    }
  }

  private remember(key: string, profile: ConnectionProfile): void {
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, { profile, expiresAt: Date.now() + this.options.connectionCacheTtlMs });
  }
}
