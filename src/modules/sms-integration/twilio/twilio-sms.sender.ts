import { Injectable } from '@nestjs/common';
import type { CloudEvent } from '../../../platform/events/cloud-event';
import type { ConnectionProfile } from '../../../platform/integrations/connections/connection-profile';
import { GovernedHttpClient } from '../../../platform/integrations/governed/governed-http-client';
import type { DeliveryReport } from '../../../platform/messages/delivery-reports';
import type { SendSmsCommand } from '../../../platform/messages/message-contracts';
import type { SendReceipt } from '../../../platform/messages/message-sending';
import type { Message } from '../../../platform/messages/message.entity';
import type { ProviderSender } from '../../../platform/messages/provider-senders';
import { IntegrationError } from '../../../platform/resilience/failure-classifier';
import { ingestUrlOf, PublicUrlOptions } from '../../../platform/webhooks/public-url.options';
import { statusOfTwilio, twilioFailure } from './twilio-answers';

/**
 * SMS through Twilio's Messages API (https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource):
 * a form-encoded POST, Basic auth from the connection's credential. When the connection has a webhook
 * secret (the account's auth token), StatusCallback points at its own ingest URL, so Twilio's signed
 * status callbacks move the message on.
 */
@Injectable()
export class TwilioSmsSender implements ProviderSender<SendSmsCommand> {
  readonly providerId = 'twilio';

  constructor(
    private readonly http: GovernedHttpClient,
    private readonly publicUrls: PublicUrlOptions,
  ) {}

  async send(profile: ConnectionProfile, command: SendSmsCommand, message: Message): Promise<SendReceipt> {
    const { connection } = profile;
    const connectionId = connection.id;
    const configuration = connection.configuration;
    const accountSid = stringOf(configuration.accountSid);
    if (!accountSid) throw IntegrationError.validation('twilio_account_sid_missing', `Connection ${connectionId} has no configuration.accountSid`);
    const form = new URLSearchParams({ To: command.to, Body: command.body });
    const from = command.from ?? stringOf(configuration.from);
    const messagingServiceSid = stringOf(configuration.messagingServiceSid);
    if (from) form.set('From', from);
    else if (messagingServiceSid) form.set('MessagingServiceSid', messagingServiceSid);
    else
      throw IntegrationError.validation(
        'twilio_sender_missing',
        `from: the message names no sender and connection ${connectionId} has no configuration.from or messagingServiceSid`,
      );
    const callback = this.statusCallbackOf(connectionId, connection.webhook !== null);
    if (callback) form.set('StatusCallback', callback);

    const response = await this.http.request(
      connectionId,
      {
        method: 'POST',
        path: `/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
      },
      { tenantId: message.tenantId, operation: 'twilio.messages.create', metricOperation: 'sms.send', budgetReserve: 0 },
    );
    if (response.status < 200 || response.status >= 300) throw twilioFailure(response);
    const created = parseJson(response.body);
    const sid = stringOf(created.sid);
    const status = stringOf(created.status);
    const recorded = statusOfTwilio(status) ?? 'Sent';
    return {
      providerId: this.providerId,
      providerMessageId: sid ?? null,
      status: recorded,
      runId: response.run.id,
      ...(status ? { detail: status } : {}),
      ...(recorded === 'Failed' ? { failure: { category: 'Validation', code: `twilio_${stringOf(created.error_code) ?? status}`, message: `Twilio answered ${status}` } } : {}),
    };
  }

  /** A status callback's fields (MessageSid, MessageStatus, ErrorCode), verified by the gateway with the connection's auth token. */
  reports(event: CloudEvent): DeliveryReport[] {
    const data = (event.data ?? {}) as Record<string, unknown>;
    const sid = stringOf(data.MessageSid) ?? stringOf(data.SmsSid);
    const status = stringOf(data.MessageStatus) ?? stringOf(data.SmsStatus);
    const recorded = statusOfTwilio(status);
    if (!sid || !status || !recorded) return [];
    if (recorded !== 'Failed') return [{ providerMessageId: sid, status: recorded, detail: status }];
    const errorCode = stringOf(data.ErrorCode);
    return [
      {
        providerMessageId: sid,
        status: 'Failed',
        detail: errorCode ? `${status} (Twilio error ${errorCode})` : status,
        failure: { category: 'Validation', code: `twilio_${errorCode ?? status}`, message: `Twilio reported the message ${status}${errorCode ? ` with error ${errorCode}` : ''}` },
      },
    ];
  }

  private statusCallbackOf(connectionId: string, hasWebhookSecret: boolean): string | undefined {
    const base = this.publicUrls.publicBaseUrl;
    if (!hasWebhookSecret || !base) return undefined;
    return ingestUrlOf(base, connectionId);
  }
}

function stringOf(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function parseJson(body: Buffer): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
