import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { BlobStore } from '../../../platform/blob/blob-store';
import type { CloudEvent } from '../../../platform/events/cloud-event';
import type { ConnectionProfile } from '../../../platform/integrations/connections/connection-profile';
import { GovernedHttpClient, GovernedResponse } from '../../../platform/integrations/governed/governed-http-client';
import type { DeliveryReport } from '../../../platform/messages/delivery-reports';
import type { EmailAttachment, SendEmailCommand } from '../../../platform/messages/message-contracts';
import type { SendReceipt } from '../../../platform/messages/message-sending';
import type { Message } from '../../../platform/messages/message.entity';
import type { ProviderSender } from '../../../platform/messages/provider-senders';
import { classifyError, IntegrationError } from '../../../platform/resilience/failure-classifier';
import { parseRetryAfter } from '../../../platform/resilience/retry-policy';
import { EmailIntegrationOptions } from '../email-integration.options';
import { ACS_EMAIL_API_VERSION, acsError, acsFailure, eventGridEvents, stableGuid } from './acs-answers';

const EMAIL_DELIVERY_REPORT = 'Microsoft.Communication.EmailDeliveryReportReceived';

/** An email operation's statuses (`EmailSendResult.status`); NotStarted and Running are not final. */
type OperationStatus = 'NotStarted' | 'Running' | 'Succeeded' | 'Failed' | 'Canceled';

/**
 * Email through Azure Communication Services (https://learn.microsoft.com/rest/api/communication/dataplane/email/send):
 * `POST /emails:send` signed per request (HMAC-SHA256) or with an Entra token, answered 202 with an
 * operation; its `Operation-Location` is polled (honouring Retry-After) until the operation ends or
 * EMAIL_OPERATION_POLL_TIMEOUT passes. The `Operation-Id` is derived from the message id, so a retried
 * send names the same operation; the operation id is what the delivery reports name.
 */
@Injectable()
export class AcsEmailSender implements ProviderSender<SendEmailCommand> {
  readonly providerId = 'azure-communication-services';

  constructor(
    private readonly http: GovernedHttpClient,
    private readonly blobs: BlobStore,
    private readonly options: EmailIntegrationOptions,
  ) {}

  async send(profile: ConnectionProfile, email: SendEmailCommand, message: Message): Promise<SendReceipt> {
    const operationId = operationIdOf(message.id);
    const body = JSON.stringify(await this.requestOf(message.tenantId, email));
    const connectionId = profile.connection.id;
    const call = { tenantId: message.tenantId, metricOperation: 'email.send', budgetReserve: 0 };
    let response = await this.http.request(
      connectionId,
      {
        method: 'POST',
        path: '/emails:send',
        query: { 'api-version': ACS_EMAIL_API_VERSION },
        headers: { 'content-type': 'application/json', 'operation-id': operationId, 'x-ms-client-request-id': operationId },
        body,
      },
      { ...call, operation: 'acs.emails.send' },
    );
    // An operation of that id exists already: an earlier attempt of this message got through before its answer was lost.
    const repeated = response.status === 409;
    if (repeated) response = await this.poll(connectionId, message.tenantId, operationPath(operationId));
    if (response.status < 200 || response.status >= 300) throw acsFailure(response, 'email');
    const location = repeated ? operationPath(operationId) : this.operationLocationOf(profile, response, operationId);
    const outcome = await this.untilFinal(connectionId, message.tenantId, location, response);
    return this.receiptOf(outcome.status, outcome.response, operationId, outcome.error);
  }

  /** An email delivery report (one per recipient): Delivered, Bounced / Suppressed (Bounced), Failed / FilteredSpam / Quarantined (Failed). */
  reports(event: CloudEvent): DeliveryReport[] {
    return eventGridEvents(event.data).flatMap(({ type, data }): DeliveryReport[] => {
      if (type !== EMAIL_DELIVERY_REPORT) return [];
      const messageId = typeof data.messageId === 'string' ? data.messageId : undefined;
      const status = typeof data.status === 'string' ? data.status : undefined;
      const recorded = status ? statusOfReport(status) : undefined;
      if (!messageId || !status || !recorded) return [];
      const details = data.deliveryStatusDetails as { statusMessage?: unknown } | undefined;
      const statusMessage = typeof details?.statusMessage === 'string' ? details.statusMessage.slice(0, 300) : undefined;
      const detail = statusMessage ? `${status}: ${statusMessage}` : status;
      if (recorded === 'Delivered') return [{ providerMessageId: messageId, status: recorded, detail }];
      return [
        {
          providerMessageId: messageId,
          status: recorded,
          detail,
          failure: { category: 'Validation', code: `acs_${status}`, message: `Azure Communication Services reported the email ${status}` },
        },
      ];
    });
  }

  private async untilFinal(
    connectionId: string,
    tenantId: string,
    location: string,
    accepted: GovernedResponse,
  ): Promise<{ status: OperationStatus | 'Unknown'; response: GovernedResponse; error?: { code?: string; message?: string } }> {
    const deadline = Date.now() + this.options.operationPollTimeoutMs;
    let last = accepted;
    let status = operationStatusOf(accepted.body);
    while (status !== 'Succeeded' && status !== 'Failed' && status !== 'Canceled') {
      const wait = parseRetryAfter(last.headers) ?? this.options.operationPollIntervalMs;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return { status: 'Unknown', response: last };
      await sleep(Math.min(wait, remaining));
      try {
        last = await this.poll(connectionId, tenantId, location);
      } catch (error) {
        // A poll refused before it went out (a spent budget, an open breaker): the email is accepted all the same; try again until the deadline.
        if (classifyError(error).category === 'Auth') throw error;
        continue;
      }
      if (last.status === 401 || last.status === 403) throw acsFailure(last, 'operation status request');
      if (last.status < 200 || last.status >= 300) continue;
      status = operationStatusOf(last.body) ?? status;
    }
    return { status, response: last, ...(status === 'Succeeded' ? {} : { error: acsError(last.body) }) };
  }

  private poll(connectionId: string, tenantId: string, location: string): Promise<GovernedResponse> {
    const url = new URL(location, 'https://operation.invalid');
    return this.http.request(
      connectionId,
      { method: 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: { accept: 'application/json' } },
      { tenantId, operation: 'acs.emails.operation', metricOperation: 'email.status' },
    );
  }

  /** Operation-Location, when it is on the connection's own endpoint (a location elsewhere is not followed); else the documented operation path. */
  private operationLocationOf(profile: ConnectionProfile, response: GovernedResponse, operationId: string): string {
    const header = response.headers['operation-location'];
    const location = Array.isArray(header) ? header[0] : header;
    if (location && profile.baseUrl) {
      try {
        const url = new URL(location);
        if (url.origin === profile.baseUrl.origin) return `${url.pathname}${url.search}`;
      } catch {
        // not a URL: fall back to the documented path
      }
    }
    return operationPath(operationId);
  }

  private receiptOf(status: OperationStatus | 'Unknown', response: GovernedResponse, operationId: string, error?: { code?: string; message?: string }): SendReceipt {
    const base = { providerId: this.providerId, providerMessageId: operationId, runId: response.run.id };
    switch (status) {
      case 'Succeeded':
        return { ...base, detail: 'Succeeded' };
      case 'Failed':
      case 'Canceled': {
        const code = `acs_${error?.code ?? status}`;
        const said = error?.message ? `: ${error.message}` : '';
        return {
          ...base,
          status: 'Failed',
          detail: status,
          failure: { category: 'Validation', code, message: `Azure Communication Services ended the email operation ${status}${said}` },
        };
      }
      default:
        return {
          ...base,
          detail: `The email operation had not ended after ${Math.round(this.options.operationPollTimeoutMs / 1000)} s; its delivery report settles the message`,
        };
    }
  }

  private async requestOf(tenantId: string, email: SendEmailCommand): Promise<Record<string, unknown>> {
    if (!email.from) throw IntegrationError.validation('email_sender_missing', 'from: an Azure Communication Services email needs a sender address');
    const sender = mailboxOf(email.from);
    const recipients: Record<string, unknown> = { to: email.to.map(mailboxOf) };
    if (email.cc?.length) recipients.cc = email.cc.map(mailboxOf);
    if (email.bcc?.length) recipients.bcc = email.bcc.map(mailboxOf);
    const content: Record<string, string> = { subject: email.subject };
    if (email.text !== undefined) content.plainText = email.text;
    if (email.html !== undefined) content.html = email.html;
    return {
      senderAddress: sender.address,
      content,
      recipients,
      ...(email.replyTo ? { replyTo: [mailboxOf(email.replyTo)] } : {}),
      ...(email.headers && Object.keys(email.headers).length > 0 ? { headers: email.headers } : {}),
      ...(email.attachments?.length ? { attachments: await this.attachmentsOf(tenantId, email.attachments) } : {}),
      userEngagementTrackingDisabled: true,
    };
  }

  private async attachmentsOf(tenantId: string, attachments: readonly EmailAttachment[]): Promise<Array<Record<string, string>>> {
    return Promise.all(
      attachments.map(async (attachment, index) => {
        const content = attachment.contentBase64 ?? (await this.blobs.get(tenantId, attachment.blobRef!))?.data.toString('base64');
        if (content === undefined) throw IntegrationError.validation('attachment_not_found', `attachments[${index}].blobRef names no blob of the tenant`);
        return { name: attachment.filename, contentType: attachment.contentType, contentInBase64: content };
      }),
    );
  }
}

/** The message's operation id: every attempt of the message names the same operation. */
export function operationIdOf(messageId: string): string {
  return stableGuid('acs-email', messageId);
}

function operationPath(operationId: string): string {
  return `/emails/operations/${operationId}?api-version=${ACS_EMAIL_API_VERSION}`;
}

function operationStatusOf(body: Buffer): OperationStatus | undefined {
  try {
    const status = (JSON.parse(body.toString('utf8')) as { status?: unknown }).status;
    return status === 'NotStarted' || status === 'Running' || status === 'Succeeded' || status === 'Failed' || status === 'Canceled' ? status : undefined;
  } catch {
    return undefined;
  }
}

function statusOfReport(status: string): DeliveryReport['status'] | undefined {
  switch (status) {
    case 'Delivered':
      return 'Delivered';
    case 'Bounced':
    case 'Suppressed':
      return 'Bounced';
    case 'Failed':
    case 'FilteredSpam':
    case 'Quarantined':
      return 'Failed';
    default:
      // Expanded (a distribution list was expanded) is not the message's end.
      return undefined;
  }
}

/** `Name <addr>` or `addr` as ACS's EmailAddress. */
function mailboxOf(text: string): { address: string; displayName?: string } {
  const match = /^\s*(.*?)\s*<([^<>]+)>\s*$/.exec(text);
  if (!match) return { address: text.trim() };
  const name = match[1].replace(/^"(.*)"$/, '$1').replace(/\\(.)/g, '$1');
  return name ? { address: match[2], displayName: name } : { address: match[2] };
}
