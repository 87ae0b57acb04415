import type { VendorDescriptor } from '../../platform/vendors/vendor-descriptor';
import { baseUrlFromSubdomain, configurationProblems } from './zendesk.configuration';
import { normaliseZendeskEvent } from './zendesk.events';
import { ZENDESK_OPERATIONS } from './zendesk.operations';
import { classifyZendeskAnswer } from './zendesk.rate-limits';
import { ZENDESK_SYNC_SOURCES } from './zendesk.sync-sources';
import { ZendeskVerifier } from './zendesk.verifier';

/**
 * Zendesk Support (API v2). The base URL is the account's, `https://{subdomain}.zendesk.com`
 * (configuration `subdomain`, or `baseUrl`), so there is no default. Auth: `basic` with the credential
 * `{email}/token:{api_token}` (Zendesk's API token form of Basic auth), or `bearer` with an OAuth access token.
 */
export const ZENDESK: VendorDescriptor = {
  provider: {
    id: 'zendesk',
    displayName: 'Zendesk',
    category: 'support',
    capabilities: ['tickets', 'users', 'webhooks'],
    authModes: ['basic', 'bearer'],
    docsUrl: 'https://developer.zendesk.com/api-reference',
  },
  http: {
    healthPath: '/api/v2/users/me.json',
    baseUrlFrom: (configuration) => baseUrlFromSubdomain(configuration),
    classify: (answer) => classifyZendeskAnswer(answer),
    // Zendesk answers a repeated key on ticket creation with the first ticket (https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#idempotency).
    idempotencyHeader: 'Idempotency-Key',
    configurationProblems: (configuration) => configurationProblems(configuration),
  },
  webhooks: { verifier: new ZendeskVerifier(), normalise: normaliseZendeskEvent },
  operations: ZENDESK_OPERATIONS,
  syncSources: ZENDESK_SYNC_SOURCES,
};
