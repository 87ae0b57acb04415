import { namespacedEvents } from '../../platform/vendors/event-types';
import type { VendorDescriptor } from '../../platform/vendors/vendor-descriptor';
import { AzureDevOpsVerifier } from './azure-devops.verifier';

/** Azure DevOps Services (REST api-version 7.1), https://dev.azure.com/{organization}. */
export const AZURE_DEVOPS: VendorDescriptor = {
  provider: {
    id: 'azure-devops',
    displayName: 'Azure DevOps',
    category: 'source-control',
    capabilities: ['repos', 'pull-requests', 'pipelines', 'work-items', 'service-hooks'],
    authModes: ['basic'],
    defaultBaseUrl: 'https://dev.azure.com',
    docsUrl: 'https://learn.microsoft.com/rest/api/azure/devops',
  },
  http: { healthPath: '/_apis/connectionData' },
  webhooks: { verifier: new AzureDevOpsVerifier(), normalise: namespacedEvents('com.azure-devops') },
};
