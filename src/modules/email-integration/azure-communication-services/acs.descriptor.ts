import { namespacedEventType } from '../../../platform/vendors/event-types';
import { IntegrationError } from '../../../platform/resilience/failure-classifier';
import type { ExchangeTestContext, VendorDescriptor } from '../../../platform/vendors/vendor-descriptor';
import { ACS_EMAIL_API_VERSION } from './acs-answers';
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
    configurationProblems: (configuration) => {
      const problems: string[] = [];
      const { endpoint, from } = configuration;
      if (endpoint !== undefined && (typeof endpoint !== 'string' || !URL.canParse(endpoint))) {
        problems.push('configuration.endpoint must be the resource endpoint URL (https://<resource>.communication.azure.com)');
      }
      if (from !== undefined && (typeof from !== 'string' || from.length === 0)) problems.push('configuration.from must be the SMS sender (an E.164 number or sender id)');
      return problems;
    },
    connectionTest: acsConnectionTest,
  },
  authStrategies: [new AcsHmacStrategy(), new AcsEntraStrategy()],
  webhooks: {
    verifier: new EventGridVerifier(),
    normalise: (verified) => ({ type: namespacedEventType('com.azure.communication', verified.eventType.replace(/^Microsoft\.Communication\./, '')) }),
  },
};

/**
 * The data plane has no read-only "who am I": the test asks for an email operation that cannot exist.
 * A 404 proves the signature (or token) was accepted; a 401 / 403 that it was not.
 */
async function acsConnectionTest({ fetch, endpoint }: ExchangeTestContext): Promise<void> {
  const unknownOperation = new URL(
    `emails/operations/00000000-0000-4000-8000-000000000000?api-version=${ACS_EMAIL_API_VERSION}`,
    endpoint.href.endsWith('/') ? endpoint : `${endpoint.href}/`,
  );
  const answer = await fetch(unknownOperation, { headers: { accept: 'application/json' } });
  await answer.arrayBuffer();
  if (answer.status === 404 || answer.ok) return;
  if (answer.status === 401 || answer.status === 403)
    throw IntegrationError.auth('acs_auth_refused', `Azure Communication Services refused the connection's credential (HTTP ${answer.status})`);
  throw IntegrationError.transient('acs_test_failed', `Azure Communication Services answered the test with HTTP ${answer.status}`);
}
