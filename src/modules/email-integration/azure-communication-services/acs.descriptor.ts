import { namespacedEventType } from '../../../platform/vendors/event-types';
import type { VendorDescriptor } from '../../../platform/vendors/vendor-descriptor';
import { AcsEntraStrategy, AcsHmacStrategy } from './acs-hmac.strategy';
import { EventGridVerifier } from './event-grid.verifier';

/**
 * Azure Communication Services sends email and SMS on one resource; its delivery reports arrive through
 * Event Grid. The base URL is the resource endpoint (`https://<resource>.communication.azure.com`),
 * configuration `endpoint` or `baseUrl`; the credential is the resource's access key or connection string.
 */
export const AZURE_COMMUNICATION_SERVICES: VendorDescriptor = {
  provider: {
    id: 'azure-communication-services',
    displayName: 'Azure Communication Services',
    category: 'communication',
    capabilities: ['email', 'sms', 'webhooks'],
    authModes: ['acs-hmac', 'acs-entra'],
    docsUrl: 'https://learn.microsoft.com/rest/api/communication',
  },
  http: {
    baseUrlFrom: (configuration) => (typeof configuration.endpoint === 'string' ? configuration.endpoint : undefined),
  },
  authStrategies: [new AcsHmacStrategy(), new AcsEntraStrategy()],
  webhooks: {
    verifier: new EventGridVerifier(),
    normalise: (verified) => ({ type: namespacedEventType('com.azure.communication', verified.eventType.replace(/^Microsoft\.Communication\./, '')) }),
  },
};
