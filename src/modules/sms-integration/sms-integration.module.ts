import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { ConsumerSettings } from '../../platform/messaging/consumer-settings';
import { ConnectionResolver } from '../../platform/integrations/connections/connection-resolver';
import { messagesController } from '../../platform/messages/http/messages.controller';
import { MessagesModule } from '../../platform/messages/messages.module';
import { MessagesOptions } from '../../platform/messages/messages.options';
import { SendSmsHandler } from './send-sms.handler';
import { SmsIntegrationOptions } from './sms-integration.options';
import { SmsMessagesController } from './sms-messages.controller';
import { SmsReportsHandler } from './sms-reports.handler';
import { SmsSenders } from './sms-senders';
import { Sms019SmsSender } from './sms019/sms019-sms.sender';
import { TwilioSmsSender } from './twilio/twilio-sms.sender';

/**
 * The SmsIntegrationService role: SendSms from the bus and POST /sms/messages behind one port, sent
 * through the tenant's Twilio, Azure Communication Services or 019 connections (or a route of them),
 * each message a record whose status moves with the provider's answers and delivery reports.
 */
@Module({
  imports: [MessagesModule],
  controllers: [SmsMessagesController, messagesController('sms'), SendSmsHandler, SmsReportsHandler],
  providers: [
    provideOptions(SmsIntegrationOptions),
    TwilioSmsSender,
    Sms019SmsSender,
    {
      provide: SmsSenders,
      useFactory: (resolver: ConnectionResolver, twilio: TwilioSmsSender, sms019: Sms019SmsSender) => new SmsSenders('sms', resolver, [twilio, sms019]),
      inject: [ConnectionResolver, TwilioSmsSender, Sms019SmsSender],
    },
  ],
  exports: [SmsIntegrationOptions],
})
export class SmsIntegrationModule {
  static readonly options = [SmsIntegrationOptions, MessagesOptions];

  constructor(consumers: ConsumerSettings, options: SmsIntegrationOptions) {
    consumers.set('send-sms', { concurrency: options.concurrency });
  }
}
