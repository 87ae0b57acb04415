import { IntegrationError } from '../../platform/resilience/failure-classifier';
import type { ExchangeTestContext, VendorDescriptor } from '../../platform/vendors/vendor-descriptor';
import { azureErrorOf } from './azure/azure-blob-answers';
import { azureBlobBaseUrlOf, azureBlobConfigurationProblems, azureBlobPaths } from './azure/azure-blob.configuration';
import { AZURE_STORAGE_VERSION } from './azure/azure-storage-shared-key';
import { AZURE_STORAGE_ENTRA_AUTH_MODE, AZURE_STORAGE_SHARED_KEY_AUTH_MODE, AzureStorageEntraStrategy, AzureStorageSharedKeyStrategy } from './azure/azure-storage.strategies';
import { s3ErrorOf } from './aws/s3-answers';
import { s3BaseUrlOf, s3ConfigurationProblems, s3Paths } from './aws/s3.configuration';
import { AWS_SIGV4_AUTH_MODE, AwsSigV4Strategy } from './aws/sigv4.strategy';

/**
 * Azure Blob Storage: one container per connection (`configuration.container`, the account by
 * `accountUrl` or `account`, optional `keyPrefix`), every call authorised with the account key (Shared
 * Key, the default) or an Entra ID token.
 */
export const AZURE_CLOUD: VendorDescriptor = {
  provider: {
    id: 'azure',
    displayName: 'Microsoft Azure (Blob Storage)',
    category: 'cloud',
    capabilities: ['object-storage'],
    authModes: [AZURE_STORAGE_SHARED_KEY_AUTH_MODE, AZURE_STORAGE_ENTRA_AUTH_MODE],
    docsUrl: 'https://learn.microsoft.com/rest/api/storageservices/blob-service-rest-api',
  },
  http: {
    baseUrlFrom: (configuration) => azureBlobBaseUrlOf(configuration),
    configurationProblems: (configuration) => azureBlobConfigurationProblems(configuration),
    defaultHeaders: () => ({ 'x-ms-version': AZURE_STORAGE_VERSION }),
    connectionTest: azureBlobConnectionTest,
  },
  authStrategies: [new AzureStorageSharedKeyStrategy(), new AzureStorageEntraStrategy()],
};

/**
 * S3 and S3-compatible object storage (MinIO, R2, Garage, s3rver): one bucket per connection
 * (`configuration.bucket`, `region`, optional `endpoint`, `forcePathStyle` and `keyPrefix`), every call
 * signed with Signature Version 4.
 */
export const AWS: VendorDescriptor = {
  provider: {
    id: 'aws',
    displayName: 'Amazon Web Services (S3-compatible object storage)',
    category: 'cloud',
    capabilities: ['object-storage'],
    authModes: [AWS_SIGV4_AUTH_MODE],
    docsUrl: 'https://docs.aws.amazon.com/AmazonS3/latest/API',
  },
  http: {
    baseUrlFrom: (configuration) => s3BaseUrlOf(configuration),
    configurationProblems: (configuration) => s3ConfigurationProblems(configuration),
    connectionTest: s3ConnectionTest,
  },
  authStrategies: [new AwsSigV4Strategy()],
};

/** ListObjectsV2 of one key: proves the key, the signature and the bucket in one cheap read. */
async function s3ConnectionTest({ fetch, endpoint, configuration }: ExchangeTestContext): Promise<void> {
  const url = new URL(s3Paths(configuration).bucket, endpoint);
  url.search = 'list-type=2&max-keys=1';
  const answer = await fetch(url);
  const body = Buffer.from(await answer.arrayBuffer());
  if (answer.ok) return;
  const { code } = s3ErrorOf(body);
  if (answer.status === 403 || answer.status === 401)
    throw IntegrationError.auth('s3_auth_refused', `S3 refused the connection's credential (HTTP ${answer.status}${code ? ` ${code}` : ''})`);
  if (answer.status === 404) throw IntegrationError.validation('s3_NoSuchBucket', `S3 knows no bucket ${String(configuration.bucket)} at this endpoint`);
  throw IntegrationError.transient('s3_test_failed', `S3 answered the test with HTTP ${answer.status}${code ? ` ${code}` : ''}`);
}

/** List Blobs of one blob: proves the credential, the signature and the container in one cheap read. */
async function azureBlobConnectionTest({ fetch, endpoint, configuration }: ExchangeTestContext): Promise<void> {
  const url = new URL(azureBlobPaths(configuration).container, endpoint);
  url.search = 'restype=container&comp=list&maxresults=1';
  const answer = await fetch(url);
  const body = Buffer.from(await answer.arrayBuffer());
  if (answer.ok) return;
  const headers: Record<string, string> = {};
  answer.headers.forEach((value, name) => (headers[name] = value));
  const { code } = azureErrorOf({ headers, body });
  const said = `HTTP ${answer.status}${code ? ` ${code}` : ''}`;
  if (answer.status === 403 || answer.status === 401) throw IntegrationError.auth('azure_storage_auth_refused', `Azure Storage refused the connection's credential (${said})`);
  if (answer.status === 404)
    throw IntegrationError.validation(`azure_${code ?? 'ContainerNotFound'}`, `Azure Storage knows no container ${String(configuration.container)} in this account (${said})`);
  throw IntegrationError.transient('azure_storage_test_failed', `Azure Storage answered the test with ${said}`);
}
