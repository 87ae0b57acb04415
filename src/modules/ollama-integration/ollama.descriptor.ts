import { modelLimitProblems } from '../../platform/models/model-budgets';
import { modelOperations } from '../../platform/models/model-operations';
import type { VendorDescriptor } from '../../platform/vendors/vendor-descriptor';
import { OLLAMA_PROTOCOL } from './ollama.protocol';

/** Ollama, usually unauthenticated on a private network; `bearer` for a proxy in front of it that wants a token. */
export const OLLAMA: VendorDescriptor = {
  provider: {
    id: 'ollama',
    displayName: 'Ollama',
    category: 'model',
    capabilities: ['complete', 'embed', 'stream'],
    authModes: ['none', 'bearer'],
    defaultBaseUrl: 'http://127.0.0.1:11434',
    docsUrl: 'https://github.com/ollama/ollama/blob/main/docs/api.md',
  },
  http: { healthPath: '/api/tags', configurationProblems: modelLimitProblems },
  models: OLLAMA_PROTOCOL,
  operations: modelOperations('ollama', OLLAMA_PROTOCOL),
};
