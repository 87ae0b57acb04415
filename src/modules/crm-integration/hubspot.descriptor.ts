import type { VendorDescriptor } from '../../platform/vendors/vendor-descriptor';
import { configurationProblems, HUBSPOT_API_URL } from './hubspot.configuration';
import { normaliseHubSpotEvent } from './hubspot.events';
import { HUBSPOT_OPERATIONS } from './hubspot.operations';
import { classifyHubSpotAnswer, hubSpotQuotaWait } from './hubspot.rate-limits';
import { HUBSPOT_SYNC_SOURCES } from './hubspot.sync-sources';
import { HubSpotVerifier } from './hubspot.verifier';

/**
 * HubSpot's CRM (v3 objects, v4 associations) over its REST API: a private app's access token (`bearer`)
 * or an OAuth app's refresh token (`oauth2-refresh-token`, configuration.tokenUrl
 * https://api.hubapi.com/oauth/v1/token with tokenAuthMethod client_secret_post). HubSpot's SDK takes no
 * custom transport, so every call is a descriptor request on the governed path.
 */
export const HUBSPOT: VendorDescriptor = {
  provider: {
    id: 'hubspot',
    displayName: 'HubSpot',
    category: 'crm',
    capabilities: ['contacts', 'companies', 'deals', 'associations', 'webhooks'],
    authModes: ['bearer', 'oauth2-refresh-token'],
    defaultBaseUrl: HUBSPOT_API_URL,
    docsUrl: 'https://developers.hubspot.com/docs/api',
  },
  http: {
    // Any valid token may read it (no scope needed), and it names the portal the token belongs to.
    healthPath: '/account-info/v3/details',
    classify: (answer) => classifyHubSpotAnswer(answer),
    quotaWait: (answer, now) => hubSpotQuotaWait(answer, now),
    configurationProblems: (configuration, authMode) => configurationProblems(configuration, authMode),
  },
  webhooks: { verifier: new HubSpotVerifier(), normalise: normaliseHubSpotEvent },
  operations: HUBSPOT_OPERATIONS,
  syncSources: HUBSPOT_SYNC_SOURCES,
};
