import type { VendorDescriptor } from '../../platform/vendors/vendor-descriptor';

export const HUBSPOT: VendorDescriptor = {
  provider: {
    id: 'hubspot',
    displayName: 'HubSpot',
    category: 'crm',
    capabilities: ['contacts', 'companies', 'deals'],
    authModes: ['bearer', 'oauth2-refresh-token'],
    defaultBaseUrl: 'https://api.hubapi.com',
    docsUrl: 'https://developers.hubspot.com/docs/api',
  },
  http: { healthPath: '/account-info/v3/details' },
};
