import type { VendorDescriptor } from '../../platform/vendors/vendor-descriptor';

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
  http: { healthPath: '/models' },
};
