import { Injectable } from '@nestjs/common';
import { BlobStore } from '../../platform/blob/blob-store';
import type { SendEmailCommand } from '../../platform/messages/message-contracts';
import type { MessageDraft } from '../../platform/messages/message-records';
import type { ChannelDefinition } from '../../platform/messages/message-sending';
import { parseSendEmail } from './email-command';
import { EmailIntegrationOptions } from './email-integration.options';
import { EmailSenders } from './email-senders';

/**
 * Attachments larger than this (decoded) travel as blobs, not inside the queued command: a bus message
 * stays far below Service Bus's 256 KB limit (standard tier) however large the email.
 */
export const INLINE_ATTACHMENT_BYTES = 32 * 1024;

/**
 * The email channel: SendEmail validated as parseSendEmail does, large attachments of an HTTP-queued
 * email staged as the tenant's blobs (`messages/<id>/attachment-<n>`) and removed once the message is
 * sent or failed for good, and sent through the tenant's email providers.
 */
@Injectable()
export class EmailChannel implements ChannelDefinition<SendEmailCommand> {
  readonly channel = 'email';

  constructor(
    readonly sender: EmailSenders,
    private readonly options: EmailIntegrationOptions,
    private readonly blobs: BlobStore,
  ) {}

  draft(command: unknown): { command: SendEmailCommand; draft: MessageDraft } {
    return parseSendEmail(command, this.options);
  }

  async stage(tenantId: string, messageId: string, command: SendEmailCommand): Promise<SendEmailCommand> {
    if (!command.attachments?.some(isLarge)) return command;
    const attachments = await Promise.all(
      command.attachments.map(async (attachment, index) => {
        if (!isLarge(attachment)) return attachment;
        const blobRef = stagedName(messageId, index);
        await this.blobs.put(tenantId, blobRef, Buffer.from(attachment.contentBase64!, 'base64'), { contentType: attachment.contentType });
        return { filename: attachment.filename, contentType: attachment.contentType, blobRef };
      }),
    );
    return { ...command, attachments };
  }

  async settle(tenantId: string, messageId: string, command: SendEmailCommand): Promise<void> {
    const prefix = stagedName(messageId, '');
    const staged = (command.attachments ?? []).flatMap((attachment) => (attachment.blobRef?.startsWith(prefix) ? [attachment.blobRef] : []));
    await Promise.all(staged.map((name) => this.blobs.delete(tenantId, name)));
  }
}

function isLarge(attachment: { contentBase64?: string }): boolean {
  // Base64 carries 3 bytes in 4 characters.
  return attachment.contentBase64 !== undefined && (attachment.contentBase64.length / 4) * 3 > INLINE_ATTACHMENT_BYTES;
}

function stagedName(messageId: string, index: number | ''): string {
  return `messages/${messageId}/attachment-${index}`;
}
