import type { VendorDescriptor } from '../../platform/vendors/vendor-descriptor';

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
  http: { healthPath: '/api/tags' },
};
