import type { MessageChannel, MessageStatus } from '../message-contracts';
import type { Message, MessageEvent } from '../message.entity';
import type { MessageRoute } from '../message-route.entity';

export interface MessageView {
  id: string;
  channel: MessageChannel;
  status: MessageStatus;
  routeName: string | null;
  connectionId: string | null;
  providerId: string | null;
  providerMessageId: string | null;
  idempotencyKey: string | null;
  recipients: string[];
  subject: string | null;
  /** Bytes (email) or segments (SMS). */
  size: number;
  attempts: number;
  failure: { category: string; code: string; message: string } | null;
  history: MessageEvent[];
  createdAt: string;
  updatedAt: string;
}

export interface MessageRouteView {
  name: string;
  channel: MessageChannel;
  description: string | null;
  connectionIds: string[];
  createdAt: string;
  updatedAt: string;
}

export function toMessageView(message: Message): MessageView {
  return {
    id: message.id,
    channel: message.channel,
    status: message.status,
    routeName: message.routeName,
    connectionId: message.connectionId,
    providerId: message.providerId,
    providerMessageId: message.providerMessageId,
    idempotencyKey: message.idempotencyKey,
    recipients: message.recipients,
    subject: message.subject,
    size: message.size,
    attempts: message.attempts,
    failure: message.failureCode ? { category: message.failureCategory ?? 'Validation', code: message.failureCode, message: message.failureMessage ?? '' } : null,
    history: message.history,
    createdAt: message.createdAt.toISOString(),
    updatedAt: message.updatedAt.toISOString(),
  };
}

export function toRouteView(route: MessageRoute): MessageRouteView {
  return {
    name: route.name,
    channel: route.channel,
    description: route.description,
    connectionIds: route.connectionIds,
    createdAt: route.createdAt.toISOString(),
    updatedAt: route.updatedAt.toISOString(),
  };
}
