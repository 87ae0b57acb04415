import { Injectable } from '@nestjs/common';
import type { ConnectionProfile } from '../../../platform/integrations/connections/connection-profile';
import { GovernedHttpClient } from '../../../platform/integrations/governed/governed-http-client';
import type { SendSmsCommand } from '../../../platform/messages/message-contracts';
import type { SendReceipt } from '../../../platform/messages/message-sending';
import type { Message } from '../../../platform/messages/message.entity';
import type { ProviderSender } from '../../../platform/messages/provider-senders';
import { IntegrationError } from '../../../platform/resilience/failure-classifier';
import { readSms019Answer } from './sms019-answers';
import { toSms019Local, toSms019Source } from './sms019-numbers';

/** 019's documented limit on one message's text. */
const MAX_MESSAGE_CHARACTERS = 1005;

/**
 * SMS through 019's JSON API (https://docs.019sms.co.il/sms/send-sms.html): POST /api with the
 * connection's bearer token. 019 reports delivery only when asked (its `dlr` request), never by a
 * callback, so its messages stop at Sent.
 */
@Injectable()
export class Sms019SmsSender implements ProviderSender<SendSmsCommand> {
  readonly providerId = 'sms019';

  constructor(private readonly http: GovernedHttpClient) {}

  async send(profile: ConnectionProfile, command: SendSmsCommand, message: Message): Promise<SendReceipt> {
    const { connection } = profile;
    const connectionId = connection.id;
    const { username, source } = connection.configuration;
    if (typeof username !== 'string' || username.length === 0) {
      throw IntegrationError.validation('sms019_username_missing', `Connection ${connectionId} has no configuration.username`);
    }
    const sender = command.from ?? (typeof source === 'string' ? source : undefined);
    if (!sender) throw IntegrationError.validation('sms019_source_missing', `from: the message names no sender and connection ${connectionId} has no configuration.source`);
    if ([...command.body].length > MAX_MESSAGE_CHARACTERS) {
      throw IntegrationError.validation('sms019_message_too_long', `body is longer than the ${MAX_MESSAGE_CHARACTERS} characters 019 sends`);
    }
    const request = {
      sms: {
        user: { username },
        source: toSms019Source(sender),
        destinations: { phone: [toSms019Local(command.to, 'to')] },
        message: command.body,
      },
    };
    const response = await this.http.request(
      connectionId,
      { method: 'POST', path: '/api', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(request) },
      { tenantId: message.tenantId, operation: 'sms019.sms.send', metricOperation: 'sms.send', budgetReserve: 0 },
    );
    const { shipmentId } = readSms019Answer(response);
    return { providerId: this.providerId, providerMessageId: shipmentId, runId: response.run.id };
  }
}
