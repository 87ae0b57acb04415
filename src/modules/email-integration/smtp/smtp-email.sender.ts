import { Injectable } from '@nestjs/common';
import type { Attachment } from 'nodemailer/lib/mailer';
import { BlobStore } from '../../../platform/blob/blob-store';
import type { ConnectionProfile } from '../../../platform/integrations/connections/connection-profile';
import { GovernedHttpClient } from '../../../platform/integrations/governed/governed-http-client';
import type { EmailAttachment, SendEmailCommand } from '../../../platform/messages/message-contracts';
import type { Message } from '../../../platform/messages/message.entity';
import type { SendReceipt } from '../../../platform/messages/message-sending';
import type { ProviderSender } from '../../../platform/messages/provider-senders';
import { IntegrationError } from '../../../platform/resilience/failure-classifier';
import { smtpFailure } from './smtp-failures';
import { SmtpTransports } from './smtp-transports';

/**
 * Email over SMTP. Each message is one governed session on its connection (a run, the connection's
 * budget, the server's breaker) sent on the connection's pooled transport. Its Message-ID is derived
 * from the message id, so a retried send carries the same one (receivers can tell the repeat).
 */
@Injectable()
export class SmtpEmailSender implements ProviderSender<SendEmailCommand> {
  readonly providerId = 'smtp';

  constructor(
    private readonly governed: GovernedHttpClient,
    private readonly transports: SmtpTransports,
    private readonly blobs: BlobStore,
  ) {}

  async send(profile: ConnectionProfile, email: SendEmailCommand, message: Message): Promise<SendReceipt> {
    const attachments = await this.attachmentsOf(message.tenantId, email.attachments ?? []);
    const messageId = `<${message.id}@${domainOf(email.from)}>`;
    const { run, result } = await this.governed.session(
      profile.connection.id,
      { tenantId: message.tenantId, operation: 'smtp.send', metricOperation: 'email.send', budgetReserve: 0 },
      async (session) => {
        const transport = await this.transports.for(session);
        try {
          const info = await transport.sendMail({
            messageId,
            from: email.from,
            to: email.to,
            cc: email.cc,
            bcc: email.bcc,
            replyTo: email.replyTo,
            subject: email.subject,
            text: email.text,
            html: email.html,
            headers: email.headers,
            attachments,
          });
          const rejected = (info.rejected ?? []).length;
          return { result: { rejected }, externalRef: messageId };
        } catch (error) {
          throw smtpFailure(error);
        }
      },
    );
    return {
      providerId: this.providerId,
      providerMessageId: messageId,
      runId: run.id,
      ...(result.rejected > 0 ? { detail: `The server refused ${result.rejected} of the recipients` } : {}),
    };
  }

  private async attachmentsOf(tenantId: string, attachments: readonly EmailAttachment[]): Promise<Attachment[]> {
    return Promise.all(
      attachments.map(async (attachment, index) => {
        if (attachment.contentBase64 !== undefined) {
          return { filename: attachment.filename, contentType: attachment.contentType, content: Buffer.from(attachment.contentBase64, 'base64') };
        }
        const blob = await this.blobs.get(tenantId, attachment.blobRef!);
        if (!blob) throw IntegrationError.validation('attachment_not_found', `attachments[${index}].blobRef names no blob of the tenant`);
        return { filename: attachment.filename, contentType: attachment.contentType, content: blob.data };
      }),
    );
  }
}

function domainOf(address: string | undefined): string {
  const match = /@([^>\s]+)>?\s*$/.exec(address ?? '');
  return match ? match[1].toLowerCase() : 'integration-platform.local';
}
