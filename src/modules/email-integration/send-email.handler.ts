import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { RequestContext } from '../../platform/context/request-context';
import { PoisonMessageError } from '../../platform/messaging/bus-message';
import type { BusContext } from '../../platform/messaging/bus.server';
import { COMMANDS } from '../../platform/messaging/contracts';
import type { SendEmailCommand } from '../../platform/messages/message-contracts';
import { ChannelDefinition, MessageSending } from '../../platform/messages/message-sending';
import { parseSendEmail } from './email-command';
import { EmailIntegrationOptions } from './email-integration.options';
import { EmailSenders } from './email-senders';

/** The EmailIntegrationService's consumer: one SendEmail, recorded if it came from another service, sent on its connection or route. */
@Controller()
export class SendEmailHandler {
  private readonly channel: ChannelDefinition<SendEmailCommand>;

  constructor(
    private readonly sending: MessageSending,
    senders: EmailSenders,
    options: EmailIntegrationOptions,
  ) {
    this.channel = { channel: 'email', draft: (raw) => parseSendEmail(raw, options), sender: senders };
  }

  @MessagePattern(COMMANDS.SendEmail)
  async send(@Payload() command: unknown, @Ctx() context: BusContext): Promise<void> {
    const tenantId = RequestContext.current()?.tenantId;
    if (!tenantId) throw new PoisonMessageError('invalid_command', 'SendEmail carries no tenant');
    await this.sending.handle(tenantId, command, this.channel, context.message.messageId);
  }
}
