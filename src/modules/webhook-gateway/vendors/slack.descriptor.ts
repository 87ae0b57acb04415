import { namespacedEvents } from '../../../platform/vendors/event-types';
import type { VendorDescriptor } from '../../../platform/vendors/vendor-descriptor';
import { SlackVerifier } from './slack.verifier';

/** Slack's Events API: received by the gateway; no module of its own calls Slack yet. */
export const SLACK: VendorDescriptor = {
  provider: {
    id: 'slack',
    displayName: 'Slack',
    category: 'communication',
    capabilities: ['messages', 'webhooks'],
    authModes: ['bearer'],
    defaultBaseUrl: 'https://slack.com/api',
    docsUrl: 'https://api.slack.com/apis',
  },
  http: { healthPath: '/auth.test' },
  webhooks: { verifier: new SlackVerifier(), normalise: namespacedEvents('com.slack') },
};
