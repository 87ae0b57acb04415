import { BadRequestException, Body, Controller, HttpStatus, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { RequireScopes } from '../../platform/auth/decorators';
import { MessagesApi } from '../../platform/messages/http/messages-api';
import type { MessageView } from '../../platform/messages/http/message-views';
import { IntegrationError } from '../../platform/resilience/failure-classifier';
import { parseSendSms } from './sms-command';
import { SmsIntegrationOptions } from './sms-integration.options';

/** POST /sms/messages: validated, recorded Queued and queued as SendSms in one transaction; 202 with the record (200 and `duplicate` for a key used before). */
@Controller('sms/messages')
export class SmsMessagesController {
  constructor(
    private readonly api: MessagesApi,
    private readonly options: SmsIntegrationOptions,
  ) {}

  @Post()
  @RequireScopes('integration.runs.execute')
  async send(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<MessageView & { duplicate?: true }> {
    let parsed: ReturnType<typeof parseSendSms>;
    try {
      parsed = parseSendSms(body, this.options);
    } catch (error) {
      if (error instanceof IntegrationError && error.category === 'Validation') throw new BadRequestException(error.message);
      throw error;
    }
    const { view, duplicate } = await this.api.queue(parsed.draft, parsed.command);
    reply.code(duplicate ? HttpStatus.OK : HttpStatus.ACCEPTED);
    return duplicate ? { ...view, duplicate: true } : view;
  }
}
