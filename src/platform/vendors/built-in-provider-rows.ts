import type { DataSource } from 'typeorm';
import { Not, In } from 'typeorm';
import { IntegrationProvider } from '../integrations/entities/integration-provider.entity';
import { GLOBAL_TENANT } from '../persistence/columns';
import type { VendorCatalogue } from './vendor-catalogue';

/**
 * Keeps the stored built-in provider rows in step with the catalogue: one upsert per provider (insert,
 * or update what the descriptor says), and a built-in row the catalogue no longer lists is Deprecated
 * rather than deleted (its connections still name it). Idempotent, so concurrent boots agree.
 */
export async function syncBuiltInProviderRows(dataSource: DataSource, catalogue: VendorCatalogue): Promise<void> {
  const rows = catalogue.providers.map((provider) => ({
    tenantId: GLOBAL_TENANT,
    id: provider.id,
    displayName: provider.displayName,
    category: provider.category,
    capabilities: [...provider.capabilities],
    authModel: provider.authModes[0] ?? 'none',
    authModes: [...provider.authModes],
    webhookVerifier: catalogue.descriptor(provider.id)?.webhooks?.verifier.name ?? null,
    defaultBaseUrl: provider.defaultBaseUrl ?? null,
    docsUrl: provider.docsUrl ?? null,
    status: 'Active' as const,
    builtIn: true,
  }));
  await dataSource.transaction(async (manager) => {
    const providers = manager.getRepository(IntegrationProvider);
    await providers.upsert(rows, { conflictPaths: ['tenantId', 'id'], skipUpdateIfNoValuesChanged: true });
    await providers.update({ tenantId: GLOBAL_TENANT, builtIn: true, id: Not(In(rows.map((row) => row.id))) }, { status: 'Deprecated' });
  });
}
