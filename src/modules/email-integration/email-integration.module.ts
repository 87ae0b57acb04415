import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { ConsumerSettings } from '../../platform/messaging/consumer-settings';
import { ConnectionResolver } from '../../platform/integrations/connections/connection-resolver';
import { messagesController } from '../../platform/messages/http/messages.controller';
import { MessagesModule } from '../../platform/messages/messages.module';
import { MessagesOptions } from '../../platform/messages/messages.options';
import { AcsEmailSender } from './azure-communication-services/acs-email.sender';
import { EmailIntegrationOptions } from './email-integration.options';
import { EmailChannel } from './email-channel';
import { EmailReportsHandler } from './email-reports.handler';
import { EmailSenders } from './email-senders';
import { SendEmailHandler } from './send-email.handler';
import { SmtpEmailSender } from './smtp/smtp-email.sender';
import { SmtpTransports } from './smtp/smtp-transports';

/**
 * The EmailIntegrationService role: SendEmail from the bus and POST /email/messages, sent through the
 * tenant's SMTP or Azure Communication Services connections (or a route of them), each message a record
 * whose status moves with the provider's answers and delivery reports.
 */
@Module({
  imports: [MessagesModule],
  controllers: [messagesController('email', EmailChannel), SendEmailHandler, EmailReportsHandler],
  providers: [
    EmailChannel,
    provideOptions(EmailIntegrationOptions),
    SmtpTransports,
    SmtpEmailSender,
    AcsEmailSender,
    {
      provide: EmailSenders,
      useFactory: (resolver: ConnectionResolver, smtp: SmtpEmailSender, acs: AcsEmailSender) => new EmailSenders('email', resolver, [smtp, acs]),
      inject: [ConnectionResolver, SmtpEmailSender, AcsEmailSender],
    },
  ],
  exports: [EmailIntegrationOptions],
})
export class EmailIntegrationModule {
  static readonly options = [EmailIntegrationOptions, MessagesOptions];

  constructor(consumers: ConsumerSettings, options: EmailIntegrationOptions) {
    consumers.set('send-email', { concurrency: options.concurrency });
  }
}
