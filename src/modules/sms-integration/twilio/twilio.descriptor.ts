import { namespacedEvents } from '../../../platform/vendors/event-types';
import type { VendorDescriptor } from '../../../platform/vendors/vendor-descriptor';
import { TwilioVerifier } from './twilio.verifier';

const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;

export const TWILIO: VendorDescriptor = {
  provider: {
    id: 'twilio',
    displayName: 'Twilio',
    category: 'communication',
    capabilities: ['sms', 'webhooks'],
    authModes: ['basic'],
    defaultBaseUrl: 'https://api.twilio.com',
    docsUrl: 'https://www.twilio.com/docs/messaging/api/message-resource',
  },
  http: {
    healthPath: '/2010-04-01/Accounts.json',
    configurationProblems: (configuration) => {
      const problems: string[] = [];
      // The Messages API's path names the account; the Basic credential may be an API key's, whose user is not the account.
      // Both are needed to send, not to receive status callbacks (an inbound-only connection): the sender asks for them.
      const { accountSid, from, messagingServiceSid } = configuration;
      if (accountSid !== undefined && (typeof accountSid !== 'string' || !ACCOUNT_SID.test(accountSid))) {
        problems.push('configuration.accountSid must be the Twilio account SID (AC and 32 hex digits)');
      }
      if (messagingServiceSid !== undefined && (typeof messagingServiceSid !== 'string' || !MESSAGING_SERVICE_SID.test(messagingServiceSid))) {
        problems.push('configuration.messagingServiceSid must be a Messaging Service SID (MG and 32 hex digits)');
      }
      if (from !== undefined && (typeof from !== 'string' || from.length === 0)) problems.push('configuration.from must be a sender number or id');
      return problems;
    },
  },
  webhooks: { verifier: new TwilioVerifier(), normalise: namespacedEvents('com.twilio.message') },
};
