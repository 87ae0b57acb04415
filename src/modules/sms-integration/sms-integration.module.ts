import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { PublicUrlOptions } from '../../platform/webhooks/public-url.options';
import { ConsumerSettings } from '../../platform/messaging/consumer-settings';
import { ConnectionResolver } from '../../platform/integrations/connections/connection-resolver';
import { messagesController } from '../../platform/messages/http/messages.controller';
import { MessagesModule } from '../../platform/messages/messages.module';
import { MessagesOptions } from '../../platform/messages/messages.options';
// Azure Communication Services is one vendor for both channels: its folder (descriptor, signature, Event Grid, both senders) is the email module's.
import { AcsSmsSender } from '../email-integration/azure-communication-services/acs-sms.sender';
import { SendSmsHandler } from './send-sms.handler';
import { SmsIntegrationOptions } from './sms-integration.options';
import { SmsChannel } from './sms-channel';
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
  controllers: [messagesController('sms', SmsChannel), SendSmsHandler, SmsReportsHandler],
  providers: [
    SmsChannel,
    provideOptions(SmsIntegrationOptions),
    provideOptions(PublicUrlOptions),
    TwilioSmsSender,
    Sms019SmsSender,
    AcsSmsSender,
    {
      provide: SmsSenders,
      useFactory: (resolver: ConnectionResolver, twilio: TwilioSmsSender, sms019: Sms019SmsSender, acs: AcsSmsSender) => new SmsSenders('sms', resolver, [twilio, sms019, acs]),
      inject: [ConnectionResolver, TwilioSmsSender, Sms019SmsSender, AcsSmsSender],
    },
  ],
  exports: [SmsIntegrationOptions],
})
export class SmsIntegrationModule {
  static readonly options = [SmsIntegrationOptions, MessagesOptions, PublicUrlOptions];

  constructor(consumers: ConsumerSettings, options: SmsIntegrationOptions) {
    consumers.set('send-sms', { concurrency: options.concurrency });
  }
}
