import { namespacedEvents } from '../../platform/vendors/event-types';
import type { VendorDescriptor } from '../../platform/vendors/vendor-descriptor';
import { TwilioVerifier } from './twilio.verifier';

export const TWILIO: VendorDescriptor = {
  provider: {
    id: 'twilio',
    displayName: 'Twilio',
    category: 'communication',
    capabilities: ['sms', 'webhooks'],
    authModes: ['basic'],
    defaultBaseUrl: 'https://api.twilio.com',
    docsUrl: 'https://www.twilio.com/docs/usage/api',
  },
  http: { healthPath: '/2010-04-01/Accounts.json' },
  webhooks: { verifier: new TwilioVerifier(), normalise: namespacedEvents('com.twilio.message') },
};

export const SMS019: VendorDescriptor = {
  provider: { id: 'sms019', displayName: '019 SMS', category: 'communication', capabilities: ['sms'], authModes: ['bearer'], defaultBaseUrl: 'https://019sms.co.il/api' },
};
