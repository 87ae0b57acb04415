import type { VendorDescriptor } from '../../platform/vendors/vendor-descriptor';

/** Azure Communication Services sends email and SMS; its descriptor lives with email, SMS uses the same provider. */
export const AZURE_COMMUNICATION_SERVICES: VendorDescriptor = {
  provider: {
    id: 'azure-communication-services',
    displayName: 'Azure Communication Services',
    category: 'communication',
    capabilities: ['email', 'sms'],
    authModes: ['api-key'],
    docsUrl: 'https://learn.microsoft.com/rest/api/communication',
  },
  http: { apiKeyHeader: 'api-key' },
};
