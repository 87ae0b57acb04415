import { randomUUID } from 'node:crypto';
import { AmqpError, Message, message as amqpMessage, string_to_uuid, Typed, types, uuid_to_string } from 'rhea';
import type { StoredMessage } from './entity';

/** Service Bus batch sends use this message format: one AMQP message whose data sections each hold an encoded message. */
const BATCH_MESSAGE_FORMAT = 0x80013700;

const AMQP_LONG = 0x81;
const AMQP_TIMESTAMP = 0x83;

export const Annotation = {
  sequenceNumber: 'x-opt-sequence-number',
  enqueuedTime: 'x-opt-enqueued-time',
  lockedUntil: 'x-opt-locked-until',
  lockToken: 'x-opt-lock-token',
  scheduledEnqueueTime: 'x-opt-scheduled-enqueue-time',
  messageState: 'x-opt-message-state',
} as const;

/** Values of `x-opt-message-state`, which the SDK maps to `state` on peeked messages. */
const WireMessageState = { active: 0, deferred: 1, scheduled: 2 } as const;

export const ErrorCondition = {
  notFound: 'amqp:not-found',
  notAllowed: 'amqp:not-allowed',
  notImplemented: 'amqp:not-implemented',
  internalError: 'amqp:internal-error',
  messageLockLost: 'com.microsoft:message-lock-lost',
  messageNotFound: 'com.microsoft:message-not-found',
  argumentError: 'com.microsoft:argument-error',
} as const;

/** An error the peer reports to the client, either as an AMQP error or as a `$management` status. */
export class PeerError extends Error {
  constructor(
    readonly condition: string,
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
  }

  toAmqpError(): AmqpError {
    return { condition: this.condition, description: this.message };
  }

  static lockLost(): PeerError {
    return new PeerError(ErrorCondition.messageLockLost, 'The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.', 410);
  }

  static messageNotFound(detail: string): PeerError {
    return new PeerError(ErrorCondition.messageNotFound, detail, 404);
  }

  static badRequest(detail: string): PeerError {
    return new PeerError(ErrorCondition.argumentError, detail, 400);
  }
}

/** Lock tokens are UUID strings; on the wire the delivery tag carries them in .NET GUID byte order. */
export function newLockToken(): string {
  return randomUUID();
}

export function lockTokenToDeliveryTag(lockToken: string): Buffer {
  return swapGuidByteOrder(string_to_uuid(lockToken));
}

export function deliveryTagToLockToken(tag: Buffer | string): string {
  const bytes = typeof tag === 'string' ? Buffer.from(tag) : tag;
  return uuid_to_string(swapGuidByteOrder(bytes));
}

/** `$management` requests carry lock tokens as AMQP uuids in RFC 4122 byte order. */
export function uuidToLockToken(value: unknown): string {
  if (Buffer.isBuffer(value) && value.length === 16) return uuid_to_string(value);
  if (typeof value === 'string') return value.toLowerCase();
  throw PeerError.badRequest('A lock token must be a uuid');
}

export function wrapLockToken(lockToken: string): Typed {
  return types.wrap_uuid(string_to_uuid(lockToken));
}

function swapGuidByteOrder(bytes: Buffer): Buffer {
  if (bytes.length !== 16) return bytes;
  const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
  return Buffer.from(order.map((index) => bytes[index]));
}

/** rhea decodes small AMQP longs to numbers and large ones to 8-byte big-endian buffers. */
export function longToNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (Buffer.isBuffer(value) && value.length === 8) return Number(value.readBigInt64BE(0));
  if (typeof value === 'bigint') return Number(value);
  throw PeerError.badRequest(`Expected an AMQP long, got ${String(value)}`);
}

export function longsToNumbers(value: unknown): number[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(longToNumber);
}

export function wrapLongArray(values: number[]): Typed {
  return types.wrap_array(values, AMQP_LONG, undefined);
}

export function wrapTimestampArray(values: Date[]): Typed {
  return types.wrap_array(values, AMQP_TIMESTAMP, undefined);
}

/** Decodes a transfer into the messages it carries: one, or each data section of a batch. */
export function decodeTransfer(payload: Message | Buffer, format: number | undefined): Message[] {
  if (!format) return [payload as Message];
  if (format !== BATCH_MESSAGE_FORMAT || !Buffer.isBuffer(payload)) {
    throw new PeerError(ErrorCondition.notImplemented, `Unsupported message format ${format}`, 501);
  }
  const envelope = amqpMessage.decode(payload);
  return dataSections(envelope.body).map(decodeMessage);
}

function dataSections(body: unknown): Buffer[] {
  const section = body as { typecode?: number; content?: unknown; multiple?: boolean } | undefined;
  if (!section || section.typecode !== 0x75) return [];
  const content = section.multiple ? (section.content as Buffer[]) : [section.content as Buffer];
  return content.filter((item): item is Buffer => Buffer.isBuffer(item));
}

/** The message as the client sees it: the sender's message plus the broker's header and annotations. */
export function toWireMessage(entry: StoredMessage): Message {
  const annotations: Record<string, unknown> = { ...entry.message.message_annotations };
  annotations[Annotation.sequenceNumber] = types.wrap_long(entry.sequenceNumber);
  annotations[Annotation.enqueuedTime] = entry.enqueuedTime;
  annotations[Annotation.messageState] = types.wrap_int(wireState(entry));
  if (entry.scheduledEnqueueTime) annotations[Annotation.scheduledEnqueueTime] = entry.scheduledEnqueueTime;
  delete annotations[Annotation.lockedUntil];
  delete annotations[Annotation.lockToken];
  if (entry.lock) {
    annotations[Annotation.lockedUntil] = entry.lock.lockedUntil;
    annotations[Annotation.lockToken] = wrapLockToken(entry.lock.token);
  }
  return {
    ...entry.message,
    delivery_count: entry.deliveryCount,
    first_acquirer: entry.deliveryCount === 0,
    message_annotations: annotations,
  } as Message;
}

function wireState(entry: StoredMessage): number {
  if (entry.state === 'scheduled') return WireMessageState.scheduled;
  if (entry.deferred) return WireMessageState.deferred;
  return WireMessageState.active;
}

export function encodeMessage(message: Message): Buffer {
  return amqpMessage.encode(message);
}

/** rhea types a decoded message apart from the connection's `Message`; they are the same object. */
export function decodeMessage(encoded: Buffer): Message {
  return amqpMessage.decode(encoded) as unknown as Message;
}

/** A stable text key for an AMQP message-id (string, ulong, uuid or binary), for duplicate detection and snapshots. */
export function messageIdKey(messageId: unknown): string | undefined {
  if (messageId === undefined || messageId === null) return undefined;
  if (typeof messageId === 'string') return messageId;
  if (typeof messageId === 'number' || typeof messageId === 'bigint') return String(messageId);
  if (Buffer.isBuffer(messageId)) return messageId.length === 16 ? uuid_to_string(messageId) : messageId.toString('hex');
  return String(messageId);
}

/** Decodes a message body the way the SDK presents it: a data section holding JSON becomes the parsed value. */
export function presentBody(body: unknown): unknown {
  const section = body as { typecode?: number; content?: unknown } | undefined;
  if (section && typeof section === 'object' && 'typecode' in section) {
    if (section.typecode === 0x75 && Buffer.isBuffer(section.content)) {
      try {
        return JSON.parse(section.content.toString('utf8'));
      } catch {
        return section.content;
      }
    }
    return section.content;
  }
  return body;
}

interface OutcomeFactory {
  accepted(): { described(): unknown };
  rejected(fields: { error: AmqpError }): { described(): unknown };
  released(): { described(): unknown };
  modified(fields: { delivery_failed?: boolean; undeliverable_here?: boolean }): { described(): unknown };
}

/** rhea builds outcomes at runtime but its typings only declare the `is_*` predicates. */
export const outcomes = amqpMessage as unknown as OutcomeFactory;
