import type { ConnectionProfile } from '../../../platform/integrations/connections/connection-profile';
import type { GovernedHttpClient } from '../../../platform/integrations/governed/governed-http-client';
import type { CloudProviderAdapterOptions } from '../cloud-provider-adapter.options';
import { AzureBlobObjectStore } from './azure-blob-object-store';
import { AZURE_STORAGE_ENTRA_AUTH_MODE } from './azure-storage.strategies';

describe('the Azure Blob object store', () => {
  it('presigns only with the account key: an Entra ID connection is told so, and nothing is called', async () => {
    const session = jest.fn();
    const store = new AzureBlobObjectStore({ session } as Partial<GovernedHttpClient> as GovernedHttpClient, {} as CloudProviderAdapterOptions);
    const profile = {
      auth: AZURE_STORAGE_ENTRA_AUTH_MODE,
      baseUrl: new URL('https://acme.blob.core.windows.net'),
      connection: { id: 'connection-1', configuration: { account: 'acme', container: 'artifacts' } },
    } as unknown as ConnectionProfile;
    await expect(store.presign({ tenantId: 'tenant-1', profile, key: 'a.txt' }, { method: 'GET', expiresInSeconds: 60 })).rejects.toMatchObject({
      category: 'Validation',
      code: 'azure_presign_needs_account_key',
      message: expect.stringContaining('user delegation SAS is not supported'),
    });
    expect(session).not.toHaveBeenCalled();
  });
});
