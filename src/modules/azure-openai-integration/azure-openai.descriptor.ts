import type { VendorDescriptor } from '../../platform/vendors/vendor-descriptor';

/** Azure OpenAI: the base URL is the resource's endpoint, so there is no default. */
export const AZURE_OPENAI: VendorDescriptor = {
  provider: {
    id: 'azure-openai',
    displayName: 'Azure OpenAI',
    category: 'model',
    capabilities: ['complete', 'embed', 'stream'],
    authModes: ['api-key'],
    docsUrl: 'https://learn.microsoft.com/azure/ai-services/openai/reference',
  },
  http: { healthPath: '/openai/models?api-version=2024-10-21', apiKeyHeader: 'api-key' },
};
