import type { VendorDescriptor } from '../../platform/vendors/vendor-descriptor';

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

/** S3 and S3-compatible object storage: the endpoint is the connection's when not AWS itself. */
export const AWS: VendorDescriptor = {
  provider: {
    id: 'aws',
    displayName: 'Amazon Web Services (S3-compatible object storage)',
    category: 'cloud',
    capabilities: ['object-storage'],
    authModes: ['basic'],
    docsUrl: 'https://docs.aws.amazon.com/AmazonS3/latest/API',
  },
};
