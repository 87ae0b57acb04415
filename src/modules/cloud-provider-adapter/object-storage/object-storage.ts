import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { TenantContext } from '../../../platform/context/tenant-context';
import type { ConnectionProfile } from '../../../platform/integrations/connections/connection-profile';
import { ConnectionResolver } from '../../../platform/integrations/connections/connection-resolver';
import { IntegrationError } from '../../../platform/resilience/failure-classifier';
import { CloudProviderAdapterOptions } from '../cloud-provider-adapter.options';
import { fullKey, keyPrefixOf } from './object-keys';
import type { ByteRange, ObjectDownload, ObjectPage, ObjectProperties, ObjectStoreProvider, PresignedUrl, StoredObject } from './object-store';

export const OBJECT_STORE_PROVIDERS = Symbol('OBJECT_STORE_PROVIDERS');
const OBJECT_STORAGE = 'object-storage';

/**
 * The object-storage port for the tenant in scope: the connection must be the tenant's and its
 * provider's store must be one of ours; every key is confined under the connection's key prefix, and
 * answers name keys without it.
 */
@Injectable()
export class ObjectStorage {
  constructor(
    @Inject(OBJECT_STORE_PROVIDERS) private readonly providers: readonly ObjectStoreProvider[],
    private readonly resolver: ConnectionResolver,
    private readonly tenant: TenantContext,
    private readonly options: CloudProviderAdapterOptions,
  ) {}

  async put(connectionId: string, key: string, object: { body: Readable; contentType: string; contentLength?: number }): Promise<StoredObject> {
    if (object.contentLength !== undefined && object.contentLength > this.options.maxObjectBytes) {
      throw IntegrationError.validation('object_too_large', `The object is larger than CLOUD_MAX_OBJECT_BYTES (${this.options.maxObjectBytes} bytes)`);
    }
    const { provider, location, prefix } = await this.locate(connectionId, key);
    const stored = await provider.put(location, object);
    return { ...stored, key: stripped(prefix, stored.key) };
  }

  async get(connectionId: string, key: string, range?: ByteRange): Promise<ObjectDownload> {
    const { provider, location, prefix } = await this.locate(connectionId, key);
    const download = await provider.get(location, range);
    if (!download) throw new NotFoundException(`No object ${key} on connection ${connectionId}`);
    return { ...download, properties: { ...download.properties, key: stripped(prefix, download.properties.key) } };
  }

  async head(connectionId: string, key: string): Promise<ObjectProperties> {
    const { provider, location, prefix } = await this.locate(connectionId, key);
    const properties = await provider.head(location);
    if (!properties) throw new NotFoundException(`No object ${key} on connection ${connectionId}`);
    return { ...properties, key: stripped(prefix, properties.key) };
  }

  async delete(connectionId: string, key: string): Promise<void> {
    const { provider, location } = await this.locate(connectionId, key);
    await provider.delete(location);
  }

  async list(connectionId: string, query: { prefix?: string; cursor?: string; limit?: number }): Promise<ObjectPage> {
    const { provider, profile } = await this.providerOf(connectionId);
    const prefix = keyPrefixOf(profile.connection.configuration);
    const page = await provider.list(this.tenant.tenantId, profile, { prefix: `${prefix}${query.prefix ?? ''}`, cursor: query.cursor, limit: query.limit ?? 100 });
    return { items: page.items.map((item) => ({ ...item, key: stripped(prefix, item.key) })), nextCursor: page.nextCursor };
  }

  async presign(connectionId: string, key: string, method: 'GET' | 'PUT', expiresInSeconds: number): Promise<PresignedUrl> {
    const maxSeconds = Math.floor(this.options.presignMaxExpiryMs / 1000);
    if (expiresInSeconds > maxSeconds) throw IntegrationError.validation('presign_expiry_too_long', `expiresInSeconds must be at most ${maxSeconds} (CLOUD_PRESIGN_MAX_EXPIRY)`);
    const { provider, location } = await this.locate(connectionId, key);
    return provider.presign(location, { method, expiresInSeconds });
  }

  private async locate(connectionId: string, key: string) {
    const { provider, profile } = await this.providerOf(connectionId);
    const prefix = keyPrefixOf(profile.connection.configuration);
    return { provider, prefix, location: { tenantId: this.tenant.tenantId, profile, key: fullKey(prefix, key) } };
  }

  private async providerOf(connectionId: string): Promise<{ provider: ObjectStoreProvider; profile: ConnectionProfile }> {
    let profile: ConnectionProfile;
    try {
      profile = await this.resolver.resolve(this.tenant.tenantId, connectionId);
    } catch (error) {
      if (error instanceof IntegrationError && error.category === 'Validation') throw new NotFoundException(`Connection ${connectionId} not found`);
      throw error;
    }
    const provider = this.providers.find((candidate) => candidate.providerId === profile.provider.id);
    if (!provider || !profile.provider.capabilities.includes(OBJECT_STORAGE)) {
      throw IntegrationError.validation('not_object_storage', `Connection ${connectionId} is a ${profile.provider.id} connection, which is no object storage`);
    }
    return { provider, profile };
  }
}

function stripped(prefix: string, key: string): string {
  return key.startsWith(prefix) ? key.slice(prefix.length) : key;
}
