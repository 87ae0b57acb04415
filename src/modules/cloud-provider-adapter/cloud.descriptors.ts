import { IntegrationError } from '../../platform/resilience/failure-classifier';
import type { ExchangeTestContext, VendorDescriptor } from '../../platform/vendors/vendor-descriptor';
import { s3ErrorOf } from './aws/s3-answers';
import { s3BaseUrlOf, s3ConfigurationProblems, s3Paths } from './aws/s3.configuration';
import { AWS_SIGV4_AUTH_MODE, AwsSigV4Strategy } from './aws/sigv4.strategy';

export const AZURE_CLOUD: VendorDescriptor = {
  provider: {
    id: 'azure',
    displayName: 'Microsoft Azure',
    category: 'cloud',
    capabilities: ['object-storage'],
    authModes: ['oauth2-client-credentials'],
    defaultBaseUrl: 'https://management.azure.com',
    docsUrl: 'https://learn.microsoft.com/rest/api/azure',
  },
  http: { healthPath: '/subscriptions?api-version=2022-12-01' },
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
