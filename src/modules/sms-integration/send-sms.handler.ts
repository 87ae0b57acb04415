import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { RequestContext } from '../../platform/context/request-context';
import { PoisonMessageError } from '../../platform/messaging/bus-message';
import type { BusContext } from '../../platform/messaging/bus.server';
import { COMMANDS } from '../../platform/messaging/contracts';
import { MessageSending } from '../../platform/messages/message-sending';
import { SmsChannel } from './sms-channel';

/** The SmsIntegrationService's consumer: one SendSms, recorded if it came from another service, sent on its connection or route. */
@Controller()
export class SendSmsHandler {
  constructor(
    private readonly sending: MessageSending,
    private readonly channel: SmsChannel,
  ) {}

  @MessagePattern(COMMANDS.SendSms)
  async send(@Payload() command: unknown, @Ctx() context: BusContext): Promise<void> {
    const tenantId = RequestContext.current()?.tenantId;
    if (!tenantId) throw new PoisonMessageError('invalid_command', 'SendSms carries no tenant');
    await this.sending.handle(tenantId, command, this.channel, context.message.messageId);
  }
}
