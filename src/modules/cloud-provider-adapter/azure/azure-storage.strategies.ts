import { IntegrationError } from '../../../platform/resilience/failure-classifier';
import type { AuthContext, AuthStrategy } from '../../../platform/vendors/vendor-descriptor';
import { azureAccountOf } from './azure-blob.configuration';
import { AZURE_STORAGE_VERSION, sharedKeyOf, signSharedKey, type AzureSharedKey } from './azure-storage-shared-key';

export const AZURE_STORAGE_SHARED_KEY_AUTH_MODE = 'azure-storage-shared-key';
export const AZURE_STORAGE_ENTRA_AUTH_MODE = 'azure-storage-entra';
/** The scope of Entra ID tokens for Azure Storage's data plane. */
export const AZURE_STORAGE_TOKEN_SCOPE = 'https://storage.azure.com/.default';

/** The account key of a connection, for signing: the account its configuration names, the key its credential holds. */
export function azureSharedKeyOf(configuration: Readonly<Record<string, unknown>>, credential: string): AzureSharedKey {
  const account = azureAccountOf(configuration);
  if (!account) throw IntegrationError.validation('azure_storage_account_unknown', 'configuration.account is required: the account URL does not name the account');
  return sharedKeyOf(credential, account);
}

/** Shared Key authorization (the account key, or the account's connection string) on every governed call. */
export class AzureStorageSharedKeyStrategy implements AuthStrategy {
  readonly mode = AZURE_STORAGE_SHARED_KEY_AUTH_MODE;
  readonly description = 'Azure Storage Shared Key: each request signed with the account key (the key, or the connection string AccountName=…;AccountKey=…)';
  readonly needsCredential = true;
  readonly credentialKinds = ['secret'] as const;

  constructor(private readonly now: () => Date = () => new Date()) {}

  async headers(context: AuthContext): Promise<Record<string, string>> {
    if (!context.request) throw IntegrationError.validation('azure_storage_unsigned_request', 'Azure Storage Shared Key signs each request: there is no request to sign');
    return signSharedKey(context.request, azureSharedKeyOf(context.configuration, await context.secret()), this.now()).headers;
  }
}

/** An Entra ID token from the platform's Azure identity, which needs a data role on the account (Storage Blob Data Contributor). */
export class AzureStorageEntraStrategy implements AuthStrategy {
  readonly mode = AZURE_STORAGE_ENTRA_AUTH_MODE;
  readonly description = "An Entra ID token from the platform's Azure identity (it needs a Storage Blob Data role on the account)";
  readonly needsCredential = false;

  async headers(context: AuthContext): Promise<Record<string, string>> {
    // Bearer tokens need a service version of 2017-11-09 or later: the version is set here too.
    return { authorization: `Bearer ${await context.azureToken(AZURE_STORAGE_TOKEN_SCOPE)}`, 'x-ms-version': context.request?.headers['x-ms-version'] ?? AZURE_STORAGE_VERSION };
  }
}
