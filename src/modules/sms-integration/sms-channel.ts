import { Injectable } from '@nestjs/common';
import type { SendSmsCommand } from '../../platform/messages/message-contracts';
import type { MessageDraft } from '../../platform/messages/message-records';
import type { ChannelDefinition } from '../../platform/messages/message-sending';
import { parseSendSms } from './sms-command';
import { SmsIntegrationOptions } from './sms-integration.options';
import { SmsSenders } from './sms-senders';

/** The SMS channel: SendSms validated as parseSendSms does, sent through the tenant's SMS providers. */
@Injectable()
export class SmsChannel implements ChannelDefinition<SendSmsCommand> {
  readonly channel = 'sms';

  constructor(
    readonly sender: SmsSenders,
    private readonly options: SmsIntegrationOptions,
  ) {}

  draft(command: unknown): { command: SendSmsCommand; draft: MessageDraft } {
    return parseSendSms(command, this.options);
  }
}
