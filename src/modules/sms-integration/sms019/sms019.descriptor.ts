import type { VendorDescriptor } from '../../../platform/vendors/vendor-descriptor';

/** 019's `source`: up to 11 digits (no +) or English letters. */
const SOURCE = /^[A-Za-z0-9]{1,11}$/;

export const SMS019: VendorDescriptor = {
  provider: {
    id: 'sms019',
    displayName: '019 SMS',
    category: 'communication',
    capabilities: ['sms'],
    authModes: ['bearer'],
    defaultBaseUrl: 'https://019sms.co.il',
    docsUrl: 'https://docs.019sms.co.il/sms/send-sms.html',
  },
  http: {
    configurationProblems: (configuration) => {
      const problems: string[] = [];
      if (typeof configuration.username !== 'string' || configuration.username.length === 0) problems.push('configuration.username must name the 019 account');
      if (configuration.source !== undefined && (typeof configuration.source !== 'string' || !SOURCE.test(configuration.source))) {
        problems.push('configuration.source must be up to 11 digits (no +) or English letters');
      }
      return problems;
    },
  },
};
