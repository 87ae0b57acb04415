import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { RequestContext } from '../../platform/context/request-context';
import { PoisonMessageError } from '../../platform/messaging/bus-message';
import type { BusContext } from '../../platform/messaging/bus.server';
import { COMMANDS } from '../../platform/messaging/contracts';
import type { SendSmsCommand } from '../../platform/messages/message-contracts';
import { ChannelDefinition, MessageSending } from '../../platform/messages/message-sending';
import { parseSendSms } from './sms-command';
import { SmsIntegrationOptions } from './sms-integration.options';
import { SmsSenders } from './sms-senders';

/** The SmsIntegrationService's consumer: one SendSms, recorded if it came from another service, sent on its connection or route. */
@Controller()
export class SendSmsHandler {
  private readonly channel: ChannelDefinition<SendSmsCommand>;

  constructor(
    private readonly sending: MessageSending,
    senders: SmsSenders,
    options: SmsIntegrationOptions,
  ) {
    this.channel = { channel: 'sms', draft: (raw) => parseSendSms(raw, options), sender: senders };
  }

  @MessagePattern(COMMANDS.SendSms)
  async send(@Payload() command: unknown, @Ctx() context: BusContext): Promise<void> {
    const tenantId = RequestContext.current()?.tenantId;
    if (!tenantId) throw new PoisonMessageError('invalid_command', 'SendSms carries no tenant');
    await this.sending.handle(tenantId, command, this.channel, context.message.messageId);
  }
}
