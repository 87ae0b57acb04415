import type { SendEmailCommand } from '../../platform/messages/message-contracts';
import { ProviderSenders } from '../../platform/messages/provider-senders';

/** The email channel's senders (SMTP, Azure Communication Services), one per provider. */
export class EmailSenders extends ProviderSenders<SendEmailCommand> {}
