import { modelLimitProblems } from '../../platform/models/model-budgets';
import { modelOperations } from '../../platform/models/model-operations';
import type { VendorDescriptor } from '../../platform/vendors/vendor-descriptor';
import { AZURE_OPENAI_ENTRA } from './azure-openai.auth';
import { apiVersionOf, AZURE_OPENAI_PROTOCOL, azureOpenAIConfigurationProblems } from './azure-openai.protocol';

/**
 * Azure OpenAI: the base URL is the resource's endpoint (`https://{resource}.openai.azure.com`), so
 * there is no default. Its 429s carry `retry-after-ms`, which the shared status classification reads.
 */
export const AZURE_OPENAI: VendorDescriptor = {
  provider: {
    id: 'azure-openai',
    displayName: 'Azure OpenAI',
    category: 'model',
    capabilities: ['complete', 'embed', 'stream'],
    authModes: ['api-key', 'azure-openai-entra'],
    docsUrl: 'https://learn.microsoft.com/azure/ai-services/openai/reference',
  },
  http: {
    healthPath: '/openai/models',
    apiKeyHeader: 'api-key',
    defaultQuery: (configuration) => ({ 'api-version': apiVersionOf(configuration) }),
    configurationProblems: (configuration) => [...azureOpenAIConfigurationProblems(configuration), ...modelLimitProblems(configuration)],
  },
  authStrategies: [AZURE_OPENAI_ENTRA],
  models: AZURE_OPENAI_PROTOCOL,
  operations: modelOperations('azure-openai', AZURE_OPENAI_PROTOCOL),
};
