/**
 * The bus and API contract of outbound messages (email and SMS). A message is a record with a lifecycle:
 * Queued → Sent → Delivered | Failed | Bounced, each change announced as MessageStatusChanged.
 */

export const MESSAGE_CHANNELS = ['email', 'sms'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];

export const MESSAGE_STATUSES = ['Queued', 'Sent', 'Delivered', 'Failed', 'Bounced'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** A status only moves forward: Queued, then Sent, then one of the final ones (which never change again). */
export const STATUS_RANK: Readonly<Record<MessageStatus, number>> = { Queued: 0, Sent: 1, Delivered: 2, Failed: 2, Bounced: 2 };

export const isFinalStatus = (status: MessageStatus): boolean => STATUS_RANK[status] === 2;

export interface EmailAttachment {
  filename: string;
  contentType: string;
  /** A blob of the tenant in the platform's blob store (large attachments); exactly one of blobRef and contentBase64. */
  blobRef?: string;
  contentBase64?: string;
}

/** Where a message goes out: one connection, or a route naming an ordered list of them. */
export interface MessageTarget {
  connectionId?: string;
  routeName?: string;
}

export interface SendEmailCommand extends MessageTarget {
  /** Set when the message was recorded by the HTTP API before it was queued; absent on a command from another service. */
  messageId?: string;
  to: string[];
  cc?: string[];
  bcc?: string[];
  from?: string;
  replyTo?: string;
  subject: string;
  text?: string;
  html?: string;
  attachments?: EmailAttachment[];
  headers?: Record<string, string>;
  idempotencyKey?: string;
}

export interface SendSmsCommand extends MessageTarget {
  messageId?: string;
  /** E.164. */
  to: string;
  from?: string;
  body: string;
  idempotencyKey?: string;
}

export interface MessageFailureData {
  category: string;
  code: string;
  message: string;
}

export interface MessageStatusChangedData {
  messageId: string;
  channel: MessageChannel;
  status: MessageStatus;
  /** Null for the first status (Queued). */
  previousStatus: MessageStatus | null;
  connectionId: string | null;
  providerId: string | null;
  providerMessageId: string | null;
  idempotencyKey: string | null;
  failure: MessageFailureData | null;
  changedAt: string;
}
