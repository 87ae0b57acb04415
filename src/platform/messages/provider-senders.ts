import type { ConnectionProfile } from '../integrations/connections/connection-profile';
import { ConnectionResolver } from '../integrations/connections/connection-resolver';
import { IntegrationError } from '../resilience/failure-classifier';
import type { DeliveryReportReader } from './delivery-reports';
import type { MessageChannel } from './message-contracts';
import type { ChannelSender, SendReceipt } from './message-sending';
import type { Message } from './message.entity';

/**
 * One provider's way of sending a channel's messages (SMTP, a vendor's REST API), and of reading its
 * delivery reports when it sends any. Its governed calls spend the budget before their run
 * (`budgetReserve: 0`): a refusal is MessageSending's cue to pace the send, and leaves no failed run.
 */
export interface ProviderSender<C> {
  readonly providerId: string;
  /** Sends on a connection of this provider (resolved once, by ProviderSenders); throws an IntegrationError classifying why it did not go out. */
  send(profile: ConnectionProfile, command: C, message: Message): Promise<SendReceipt>;
  readonly reports?: DeliveryReportReader['reports'];
}

/** A channel's senders, one per provider: a message goes out through the one of its connection's provider. */
export class ProviderSenders<C> implements ChannelSender<C> {
  constructor(
    private readonly channel: MessageChannel,
    private readonly resolver: ConnectionResolver,
    private readonly senders: readonly ProviderSender<C>[],
  ) {}

  async send(connectionId: string, command: C, message: Message): Promise<SendReceipt> {
    const profile = await this.resolver.resolve(message.tenantId, connectionId);
    const sender = this.senders.find((candidate) => candidate.providerId === profile.provider.id);
    if (!sender) {
      throw IntegrationError.validation(
        'provider_cannot_send',
        `Connection ${connectionId} is a ${profile.provider.id} connection, which sends no ${this.channel}; providers that do: ${this.providerIds.join(', ')}`,
      );
    }
    return sender.send(profile, command, message);
  }

  get providerIds(): string[] {
    return this.senders.map((sender) => sender.providerId);
  }

  /** The readers of the providers that send delivery reports. */
  get readers(): DeliveryReportReader[] {
    return this.senders.flatMap((sender) => (sender.reports ? [{ providerId: sender.providerId, reports: sender.reports.bind(sender) }] : []));
  }
}
