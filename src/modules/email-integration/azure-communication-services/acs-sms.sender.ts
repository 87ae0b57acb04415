import { Injectable } from '@nestjs/common';
import type { CloudEvent } from '../../../platform/events/cloud-event';
import type { ConnectionProfile } from '../../../platform/integrations/connections/connection-profile';
import { GovernedHttpClient, withRun } from '../../../platform/integrations/governed/governed-http-client';
import type { DeliveryReport } from '../../../platform/messages/delivery-reports';
import type { SendSmsCommand } from '../../../platform/messages/message-contracts';
import type { SendReceipt } from '../../../platform/messages/message-sending';
import type { Message } from '../../../platform/messages/message.entity';
import type { ProviderSender } from '../../../platform/messages/provider-senders';
import { IntegrationError } from '../../../platform/resilience/failure-classifier';
import { ACS_SMS_API_VERSION, acsFailure, eventGridEvents, stableGuid } from './acs-answers';

const SMS_DELIVERY_REPORT = 'Microsoft.Communication.SMSDeliveryReportReceived';

interface SmsSendResponseItem {
  to?: unknown;
  messageId?: unknown;
  httpStatusCode?: unknown;
  repeatabilityResult?: unknown;
  successful?: unknown;
  errorMessage?: unknown;
}

/**
 * SMS through Azure Communication Services (https://learn.microsoft.com/rest/api/communication/dataplane/sms/send):
 * `POST /sms`, signed per request. The recipient carries a `repeatabilityRequestId` derived from the
 * message id and a `repeatabilityFirstSent` of the message's creation, so a retried send is recognised
 * by ACS as the same request and not sent twice. Delivery reports are asked for when the connection
 * receives webhooks (its Event Grid subscription), and arrive as `SMSDeliveryReportReceived` events.
 */
@Injectable()
export class AcsSmsSender implements ProviderSender<SendSmsCommand> {
  readonly providerId = 'azure-communication-services';

  constructor(private readonly http: GovernedHttpClient) {}

  async send(profile: ConnectionProfile, command: SendSmsCommand, message: Message): Promise<SendReceipt> {
    const { connection } = profile;
    const from = command.from ?? (typeof connection.configuration.from === 'string' ? connection.configuration.from : undefined);
    if (!from) {
      throw IntegrationError.validation('acs_sender_missing', `from: the message names no sender and connection ${connection.id} has no configuration.from`);
    }
    const body = {
      from,
      smsRecipients: [{ to: command.to, repeatabilityRequestId: stableGuid('acs-sms', message.id), repeatabilityFirstSent: message.createdAt.toUTCString() }],
      message: command.body,
      smsSendOptions: { enableDeliveryReport: connection.webhook !== null, tag: message.id },
    };
    const response = await this.http.request(
      connection.id,
      { method: 'POST', path: '/sms', query: { 'api-version': ACS_SMS_API_VERSION }, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
      { tenantId: message.tenantId, operation: 'acs.sms.send', metricOperation: 'sms.send', budgetReserve: 0 },
    );
    if (response.status < 200 || response.status >= 300) throw acsFailure(response, 'SMS');
    const item = firstItemOf(response.body);
    if (!item)
      throw withRun(IntegrationError.transient('acs_answer_unreadable', 'Azure Communication Services answered the send without a result for the recipient'), response.run);
    const messageId = typeof item.messageId === 'string' && item.messageId ? item.messageId : null;
    if (item.repeatabilityResult === 'rejected') {
      throw withRun(
        IntegrationError.validation(
          'acs_repeatability_rejected',
          'Azure Communication Services rejected the repeated send (its first attempt is outside the repeatability window)',
        ),
        response.run,
      );
    }
    if (item.successful !== true) throw withRun(itemFailure(item), response.run);
    return { providerId: this.providerId, providerMessageId: messageId, runId: response.run.id, detail: `HTTP ${String(item.httpStatusCode ?? response.status)}` };
  }

  /** An SMS delivery report: Delivered, or Failed with ACS's details (a carrier's refusal, an unreachable handset). */
  reports(event: CloudEvent): DeliveryReport[] {
    return eventGridEvents(event.data).flatMap(({ type, data }): DeliveryReport[] => {
      if (type !== SMS_DELIVERY_REPORT) return [];
      const messageId = typeof data.messageId === 'string' ? data.messageId : typeof data.MessageId === 'string' ? data.MessageId : undefined;
      const status = stringOf(data.deliveryStatus ?? data.DeliveryStatus);
      if (!messageId || !status) return [];
      const details = stringOf(data.deliveryStatusDetails ?? data.DeliveryStatusDetails)?.slice(0, 300);
      const detail = details ? `${status}: ${details}` : status;
      if (status === 'Delivered') return [{ providerMessageId: messageId, status: 'Delivered', detail }];
      return [
        {
          providerMessageId: messageId,
          status: 'Failed',
          detail,
          failure: { category: 'Validation', code: `acs_${status.replace(/\W+/g, '_')}`, message: `Azure Communication Services reported the SMS ${status}` },
        },
      ];
    });
  }
}

function firstItemOf(body: Buffer): SmsSendResponseItem | undefined {
  try {
    const value = (JSON.parse(body.toString('utf8')) as { value?: unknown }).value;
    const first: unknown = Array.isArray(value) ? value[0] : undefined;
    return typeof first === 'object' && first !== null ? (first as SmsSendResponseItem) : undefined;
  } catch {
    return undefined;
  }
}

/** A recipient the send did not take: its own status says why (400 a number ACS cannot reach, 429 throttled, 5xx ACS's fault). */
function itemFailure(item: SmsSendResponseItem): IntegrationError {
  const status = typeof item.httpStatusCode === 'number' ? item.httpStatusCode : 500;
  const said = `HTTP ${status}${typeof item.errorMessage === 'string' ? `: ${item.errorMessage.slice(0, 300)}` : ''}`;
  if (status === 429) return IntegrationError.rateLimited('acs_429', `Azure Communication Services throttled the SMS (${said})`);
  if (status >= 500) return IntegrationError.transient(`acs_${status}`, `Azure Communication Services failed to send the SMS (${said})`);
  if (status === 401 || status === 403) return IntegrationError.auth(`acs_${status}`, `Azure Communication Services refused the sender (${said})`);
  return IntegrationError.validation(`acs_${status}`, `Azure Communication Services refused the SMS (${said})`);
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
