import type { VendorDescriptor } from '../../../platform/vendors/vendor-descriptor';
import { smtpAuthOf, smtpConfigurationOf, smtpConfigurationProblems, transportOptions } from './smtp.configuration';
import { smtpFailure } from './smtp-failures';

/**
 * SMTP servers. There is no HTTP API: the connection's "base URL" names the server (`smtp://host:port`)
 * for its breaker and budgets, and its test is an SMTP exchange (greeting, EHLO, TLS, AUTH) on a socket
 * opened through the egress policy, recorded as a test run.
 */
export const SMTP: VendorDescriptor = {
  provider: { id: 'smtp', displayName: 'SMTP', category: 'communication', capabilities: ['email'], authModes: ['basic', 'none'] },
  http: {
    configurationProblems: (configuration) => smtpConfigurationProblems(configuration),
    baseUrlFrom: (configuration) => {
      if (typeof configuration.host !== 'string' || smtpConfigurationProblems(configuration).length > 0) return undefined;
      const smtp = smtpConfigurationOf(configuration);
      return `${smtp.security === 'tls' ? 'smtps' : 'smtp'}://${smtp.host}:${smtp.port}`;
    },
    connectionTest: async ({ configuration, session, timeoutMs }) => {
      const { createTransport } = await import('nodemailer');
      await session('smtp.verify', async ({ secret, socket }) => {
        const transport = createTransport(transportOptions(smtpConfigurationOf(configuration), smtpAuthOf(await secret()), socket, timeoutMs));
        try {
          await transport.verify();
        } catch (error) {
          throw smtpFailure(error);
        } finally {
          transport.close();
        }
      });
    },
  },
};
