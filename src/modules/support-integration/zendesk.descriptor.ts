import type { VendorDescriptor } from '../../platform/vendors/vendor-descriptor';

/** Zendesk: the base URL is the account's subdomain, so there is no default. */
export const ZENDESK: VendorDescriptor = {
  provider: {
    id: 'zendesk',
    displayName: 'Zendesk',
    category: 'support',
    capabilities: ['tickets'],
    authModes: ['basic', 'bearer'],
    docsUrl: 'https://developer.zendesk.com/api-reference',
  },
  http: { healthPath: '/api/v2/users/me.json' },
};
