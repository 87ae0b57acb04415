import type { VendorDescriptor } from '../../platform/vendors/vendor-descriptor';
import { AZURE_DEVOPS_AUTH_STRATEGIES } from './azure-devops.auth';
import { normaliseServiceHook } from './azure-devops.events';
import { AZURE_DEVOPS_HTTP } from './azure-devops.http';
import { AzureDevOpsVerifier } from './azure-devops.verifier';
import { GIT_OPERATIONS } from './operations/git.operations';
import { PIPELINE_OPERATIONS } from './operations/pipelines.operations';
import { WORK_ITEM_OPERATIONS } from './operations/work-items.operations';
import { PULL_REQUESTS_SYNC } from './sync/pull-requests.sync';
import { WORK_ITEMS_SYNC } from './sync/work-items.sync';

/**
 * Azure DevOps Services (REST api-version 7.1) at https://dev.azure.com/{organization}, or an Azure
 * DevOps Server collection URL: the organisation is part of the connection's base URL.
 */
export const AZURE_DEVOPS: VendorDescriptor = {
  provider: {
    id: 'azure-devops',
    displayName: 'Azure DevOps',
    category: 'source-control',
    capabilities: ['repos', 'pull-requests', 'pipelines', 'work-items', 'service-hooks'],
    authModes: ['azure-devops-pat', 'azure-devops-entra', 'basic'],
    defaultBaseUrl: 'https://dev.azure.com',
    docsUrl: 'https://learn.microsoft.com/rest/api/azure/devops',
  },
  http: AZURE_DEVOPS_HTTP,
  webhooks: { verifier: new AzureDevOpsVerifier(), normalise: normaliseServiceHook },
  authStrategies: AZURE_DEVOPS_AUTH_STRATEGIES,
  operations: [...GIT_OPERATIONS, ...PIPELINE_OPERATIONS, ...WORK_ITEM_OPERATIONS],
  syncSources: [WORK_ITEMS_SYNC, PULL_REQUESTS_SYNC],
};
