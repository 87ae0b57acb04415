import { modelLimitProblems } from '../../platform/models/model-budgets';
import { modelOperations } from '../../platform/models/model-operations';
import type { VendorDescriptor } from '../../platform/vendors/vendor-descriptor';
import { openAIConfigurationProblems, openAIHeaders } from './openai.configuration';
import { OPENAI_PROTOCOL } from './openai.protocol';

export const OPENAI: VendorDescriptor = {
  provider: {
    id: 'openai',
    displayName: 'OpenAI',
    category: 'model',
    capabilities: ['complete', 'embed', 'stream'],
    authModes: ['bearer'],
    defaultBaseUrl: 'https://api.openai.com/v1',
    docsUrl: 'https://platform.openai.com/docs/api-reference',
  },
  http: {
    healthPath: '/models',
    defaultHeaders: openAIHeaders,
    configurationProblems: (configuration) => [...openAIConfigurationProblems(configuration), ...modelLimitProblems(configuration)],
  },
  models: OPENAI_PROTOCOL,
  operations: modelOperations('openai', OPENAI_PROTOCOL),
};
