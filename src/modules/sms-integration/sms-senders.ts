import type { SendSmsCommand } from '../../platform/messages/message-contracts';
import { ProviderSenders } from '../../platform/messages/provider-senders';

/** The SMS channel's senders (Twilio, Azure Communication Services, 019), one per provider. */
export class SmsSenders extends ProviderSenders<SendSmsCommand> {}
