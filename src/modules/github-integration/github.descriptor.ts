import { namespacedEvents } from '../../platform/vendors/event-types';
import type { VendorDescriptor } from '../../platform/vendors/vendor-descriptor';
import { GithubVerifier } from './github.verifier';

/** GitHub (REST v3; GitHub Enterprise Server at https://HOST/api/v3). */
export const GITHUB: VendorDescriptor = {
  provider: {
    id: 'github',
    displayName: 'GitHub',
    category: 'source-control',
    capabilities: ['repos', 'pull-requests', 'actions', 'checks', 'webhooks'],
    authModes: ['bearer'],
    defaultBaseUrl: 'https://api.github.com',
    docsUrl: 'https://docs.github.com/rest',
  },
  http: { healthPath: '/rate_limit' }, // does not count against the rate limit
  webhooks: { verifier: new GithubVerifier(), normalise: namespacedEvents('com.github') },
};
