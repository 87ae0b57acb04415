import { randomUUID } from 'node:crypto';
import { Message } from 'rhea';
import {
  Annotation,
  decodeMessage,
  encodeMessage,
  ErrorCondition,
  longsToNumbers,
  longToNumber,
  PeerError,
  toWireMessage,
  uuidToLockToken,
  wrapLockToken,
  wrapLongArray,
  wrapTimestampArray,
} from './encoding';
import { ApplicationProperties, MessageEntity } from './entity';
import { ManagementTarget, SendTarget } from './namespace';

export interface ManagementResponse {
  statusCode: number;
  statusDescription: string;
  errorCondition?: string;
  body?: Record<string, unknown>;
}

type RequestBody = Record<string, unknown>;
type Operation = (target: ManagementTarget, body: RequestBody, ownerId: string) => ManagementResponse;

/** `receiver-settle-mode` in receive-by-sequence-number: 0 = receive-and-delete, 1 = peek-lock. */
const RECEIVE_AND_DELETE = 0;

const operations: Record<string, Operation> = {
  'com.microsoft:renew-lock': renewLock,
  'com.microsoft:schedule-message': scheduleMessages,
  'com.microsoft:cancel-scheduled-message': cancelScheduledMessages,
  'com.microsoft:peek-message': peekMessages,
  'com.microsoft:receive-by-sequence-number': receiveBySequenceNumber,
  'com.microsoft:update-disposition': updateDisposition,
};

/** Answers one request sent to `<entity>/$management`; `ownerId` identifies the client connection for locks. */
export function handleManagementRequest(request: Message, target: ManagementTarget, ownerId: string): ManagementResponse {
  const operationName: unknown = request.application_properties?.operation;
  const operation = typeof operationName === 'string' ? operations[operationName] : undefined;
  if (!operation) {
    return { statusCode: 501, statusDescription: `Operation ${String(operationName)} is not supported`, errorCondition: ErrorCondition.notImplemented };
  }
  try {
    return operation(target, (request.body ?? {}) as RequestBody, ownerId);
  } catch (error) {
    if (error instanceof PeerError) return { statusCode: error.statusCode, statusDescription: error.message, errorCondition: error.condition };
    return { statusCode: 500, statusDescription: String(error), errorCondition: ErrorCondition.internalError };
  }
}

function ok(body: Record<string, unknown> = {}): ManagementResponse {
  return { statusCode: 200, statusDescription: 'OK', body };
}

function renewLock(target: ManagementTarget, body: RequestBody): ManagementResponse {
  const source = requireSource(target);
  const expirations = lockTokens(body).map((token) => source.renewLock(token));
  return ok({ expirations: wrapTimestampArray(expirations) });
}

function scheduleMessages(target: ManagementTarget, body: RequestBody): ManagementResponse {
  const sendTarget = requireSendTarget(target);
  const entries = Array.isArray(body.messages) ? (body.messages as RequestBody[]) : [];
  const sequenceNumbers = entries.map((entry) => scheduleOne(sendTarget, entry));
  return ok({ 'sequence-numbers': wrapLongArray(sequenceNumbers) });
}

function scheduleOne(sendTarget: SendTarget, entry: RequestBody): number {
  if (!Buffer.isBuffer(entry.message)) throw PeerError.badRequest('Each scheduled message needs an encoded "message"');
  const message = decodeMessage(entry.message);
  const messageId: unknown = entry['message-id'];
  message.message_id ??= typeof messageId === 'string' ? messageId : randomUUID();
  const at: unknown = message.message_annotations?.[Annotation.scheduledEnqueueTime];
  if (!(at instanceof Date)) throw PeerError.badRequest(`A scheduled message needs the ${Annotation.scheduledEnqueueTime} annotation`);
  return sendTarget.schedule(message, at);
}

function cancelScheduledMessages(target: ManagementTarget, body: RequestBody): ManagementResponse {
  requireSendTarget(target).cancelScheduled(longsToNumbers(body['sequence-numbers']));
  return ok();
}

function peekMessages(target: ManagementTarget, body: RequestBody): ManagementResponse {
  const fromSequenceNumber = longToNumber(body['from-sequence-number'] ?? 0);
  const messageCount = typeof body['message-count'] === 'number' ? body['message-count'] : 1;
  const entries = requireSource(target).peek(fromSequenceNumber, messageCount);
  if (entries.length === 0) return { statusCode: 204, statusDescription: 'No messages to peek', body: {} };
  // A peeked message carries no lock, even when a receiver currently holds one.
  const messages = entries.map((entry) => ({ message: encodeMessage(toWireMessage({ ...entry, lock: undefined })) }));
  return ok({ messages });
}

function receiveBySequenceNumber(target: ManagementTarget, body: RequestBody, ownerId: string): ManagementResponse {
  const deleteOnReceive = body['receiver-settle-mode'] === RECEIVE_AND_DELETE;
  const entries = requireSource(target).receiveDeferred(longsToNumbers(body['sequence-numbers']), ownerId, deleteOnReceive);
  const messages = entries.map((entry) => ({
    message: encodeMessage(toWireMessage(entry)),
    ...(entry.lock ? { 'lock-token': wrapLockToken(entry.lock.token) } : {}),
  }));
  return ok({ messages });
}

/** Settles messages by lock token; the SDK uses this for deferred messages and when its receiver link is gone. */
function updateDisposition(target: ManagementTarget, body: RequestBody): ManagementResponse {
  const source = requireSource(target);
  const properties = body['properties-to-modify'] as ApplicationProperties | undefined;
  for (const token of lockTokens(body)) {
    switch (body['disposition-status']) {
      case 'completed':
        source.complete(token);
        break;
      case 'abandoned':
        source.abandon(token, properties);
        break;
      case 'defered': // sic: the wire value
        source.defer(token, properties);
        break;
      case 'suspended':
        source.deadLetter(token, optionalString(body['deadletter-reason']), optionalString(body['deadletter-description']), properties);
        break;
      default:
        throw PeerError.badRequest(`Unknown disposition-status ${String(body['disposition-status'])}`);
    }
  }
  return ok();
}

function lockTokens(body: RequestBody): string[] {
  const tokens = body['lock-tokens'];
  return (Array.isArray(tokens) ? tokens : [tokens]).map(uuidToLockToken);
}

function requireSource(target: ManagementTarget): MessageEntity {
  if (!target.source) throw new PeerError(ErrorCondition.notAllowed, `${target.path} has no messages to receive`, 400);
  return target.source;
}

function requireSendTarget(target: ManagementTarget): SendTarget {
  if (!target.sendTarget) throw new PeerError(ErrorCondition.notAllowed, `Messages cannot be scheduled on ${target.path}`, 400);
  return target.sendTarget;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
