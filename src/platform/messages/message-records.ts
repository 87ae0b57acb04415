import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { buildCloudEvent } from '../events/cloud-event';
import { EVENT_SOURCE } from '../integrations/integration-events';
import { BusPublisher } from '../messaging/bus-publisher';
import { COMMANDS, EVENTS } from '../messaging/contracts';
import { GroupedOutboxCommits } from '../messaging/outbox/grouped-outbox-commits';
import type { OutboxItem } from '../messaging/outbox/transactional-outbox';
import { afterCursor, decodePageCursor, toPage } from '../http/page-cursor';
import { newId } from '../persistence/ids';
import { RowConflictError } from '../persistence/row-writer';
import type { MessageChannel, MessageFailureData, MessageStatus, MessageStatusChangedData, SendEmailCommand, SendSmsCommand } from './message-contracts';
import { isFinalStatus, STATUS_RANK } from './message-contracts';
import { Message, MessageEvent } from './message.entity';

/** What a channel knows about a validated message before it is recorded. */
export interface MessageDraft {
  channel: MessageChannel;
  connectionId: string | null;
  routeName: string | null;
  recipients: string[];
  subject: string | null;
  size: number;
  idempotencyKey: string | null;
}

export interface StatusChange {
  status: MessageStatus;
  connectionId?: string;
  providerId?: string;
  providerMessageId?: string | null;
  runId?: string;
  failure?: MessageFailureData;
  detail?: string;
}

/** Kept on the row: the newest steps of a message's story (a message retried for hours does not grow without bound). */
const MAX_HISTORY = 50;

type ChannelCommand = SendEmailCommand | SendSmsCommand;

/**
 * The message records of every channel: recorded once per idempotency key, their status moved only
 * forward (a final status never changes again), each change stored with its MessageStatusChanged event
 * in one transaction. Records and changes of messages sent concurrently share transactions with each
 * other and with the runs that sent them (the shared group commit); each caller still waits for its own
 * to be stored and gets its own conflict.
 */
@Injectable()
export class MessageRecords {
  constructor(
    @InjectRepository(Message) private readonly messages: Repository<Message>,
    private readonly commits: GroupedOutboxCommits,
    private readonly publisher: BusPublisher,
  ) {}

  /**
   * Records a Queued message. `command` (the HTTP path) is queued in the same transaction with the new
   * id; without it (a command taken from the bus) the caller sends the message itself, and passes an `id`
   * derived from the bus message so that a redelivery finds the same record. A key used before by another
   * message answers that message, with `duplicate`, and records and queues nothing.
   */
  async record(tenantId: string, draft: MessageDraft, command?: ChannelCommand, id: string = newId('msg')): Promise<{ message: Message; duplicate: boolean }> {
    if (draft.idempotencyKey) {
      const existing = await this.byIdempotencyKey(tenantId, draft.channel, draft.idempotencyKey);
      if (existing) return { message: existing, duplicate: existing.id !== id };
    }
    const now = new Date();
    const message = this.messages.create({
      id,
      tenantId,
      ...draft,
      status: 'Queued',
      providerId: null,
      providerMessageId: null,
      attempts: 0,
      failureCategory: null,
      failureCode: null,
      failureMessage: null,
      history: [{ at: now.toISOString(), status: 'Queued' }],
      createdAt: now,
      updatedAt: now,
      rowVersion: 1,
    });
    const items: OutboxItem[] = [this.statusEvent(message, null)];
    if (command) items.push(this.sendCommand(message, { ...command, messageId: message.id }));
    try {
      await this.commits.commit({ inserts: [{ target: Message, rows: [message] }] }, items);
    } catch (error) {
      // Recorded before under this id (a redelivered command), or the same key recorded meanwhile by a
      // concurrent request: the primary key or the unique index kept the first.
      const same = await this.messages.findOneBy({ tenantId, id });
      if (same) return { message: same, duplicate: false };
      const winner = draft.idempotencyKey ? await this.byIdempotencyKey(tenantId, draft.channel, draft.idempotencyKey) : undefined;
      if (winner) return { message: winner, duplicate: true };
      throw error;
    }
    return { message, duplicate: false };
  }

  find(tenantId: string, channel: MessageChannel, id: string): Promise<Message | null> {
    return this.messages.findOneBy({ tenantId, channel, id });
  }

  async page(
    tenantId: string,
    channel: MessageChannel,
    filter: { status?: MessageStatus[]; limit?: number; cursor?: string },
  ): Promise<{ items: Message[]; nextCursor: string | null }> {
    const limit = filter.limit ?? 50;
    const scope = { tenantId, channel, ...(filter.status?.length ? { status: In(filter.status) } : {}) };
    const rows = await this.messages.find({
      where: afterCursor<Message>(scope, filter.cursor ? decodePageCursor(filter.cursor) : undefined),
      order: { createdAt: 'DESC', id: 'DESC' },
      take: limit + 1,
    });
    return toPage(rows, limit, (row) => row);
  }

  /**
   * Moves the message to `change.status` if that is forward of where it is, with its event; answers
   * whether it moved. A concurrent change (a delivery report racing the send's own Sent) is re-read and
   * judged again, so neither is lost and the status never goes back.
   */
  async transition(message: Message, change: StatusChange): Promise<boolean> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      if (isFinalStatus(message.status) || STATUS_RANK[change.status] <= STATUS_RANK[message.status]) return false;
      const previous = message.status;
      const next = this.applied(message, change);
      try {
        await this.commits.commit(
          { updates: [{ target: Message, where: { tenantId: message.tenantId, id: message.id, rowVersion: message.rowVersion }, set: next, expectAffected: 1 }] },
          [this.statusEvent({ ...message, ...next } as Message, previous)],
        );
        Object.assign(message, next);
        return true;
      } catch (error) {
        if (!(error instanceof RowConflictError)) throw error;
        const fresh = await this.messages.findOneBy({ tenantId: message.tenantId, id: message.id });
        if (!fresh) return false;
        Object.assign(message, fresh);
      }
    }
    return false;
  }

  /** A send attempt that did not succeed and leaves the message Queued (it moves on to another connection or a later retry). */
  async recordFailedAttempt(message: Message, attempt: { connectionId: string; runId?: string; failure: MessageFailureData; countsAttempt: boolean }): Promise<void> {
    const entry: MessageEvent = { at: new Date().toISOString(), status: message.status, connectionId: attempt.connectionId, runId: attempt.runId, failure: attempt.failure };
    const set = {
      attempts: message.attempts + (attempt.countsAttempt ? 1 : 0),
      failureCategory: attempt.failure.category,
      failureCode: attempt.failure.code,
      failureMessage: attempt.failure.message,
      history: trimmed([...message.history, entry]),
      rowVersion: message.rowVersion + 1,
      updatedAt: new Date(),
    };
    const result = await this.messages.update({ tenantId: message.tenantId, id: message.id, rowVersion: message.rowVersion }, set);
    if (result.affected === 1) Object.assign(message, set);
    else Object.assign(message, (await this.messages.findOneBy({ tenantId: message.tenantId, id: message.id })) ?? {});
  }

  /** A delivery report: the message the provider knows by `providerMessageId` on that connection, moved forward. Undefined when no message has that id (yet). */
  async applyReport(
    tenantId: string,
    connectionId: string,
    providerMessageId: string,
    change: Omit<StatusChange, 'connectionId' | 'providerMessageId'>,
  ): Promise<{ message: Message; moved: boolean } | undefined> {
    const message = await this.messages.findOneBy({ tenantId, connectionId, providerMessageId });
    if (!message) return undefined;
    return { message, moved: await this.transition(message, change) };
  }

  private applied(message: Message, change: StatusChange): Partial<Message> {
    const entry: MessageEvent = { at: new Date().toISOString(), status: change.status };
    if (change.connectionId) entry.connectionId = change.connectionId;
    if (change.runId) entry.runId = change.runId;
    if (change.failure) entry.failure = change.failure;
    if (change.detail) entry.detail = change.detail.slice(0, 500);
    return {
      status: change.status,
      ...(change.connectionId ? { connectionId: change.connectionId } : {}),
      ...(change.providerId ? { providerId: change.providerId } : {}),
      ...(change.providerMessageId ? { providerMessageId: change.providerMessageId.slice(0, 256) } : {}),
      ...(change.failure
        ? { failureCategory: change.failure.category, failureCode: change.failure.code.slice(0, 128), failureMessage: change.failure.message.slice(0, 2000) }
        : {}),
      history: trimmed([...message.history, entry]),
      rowVersion: message.rowVersion + 1,
      updatedAt: new Date(),
    };
  }

  private byIdempotencyKey(tenantId: string, channel: MessageChannel, idempotencyKey: string): Promise<Message | null> {
    return this.messages.findOneBy({ tenantId, channel, idempotencyKey });
  }

  private statusEvent(message: Message, previousStatus: MessageStatus | null): OutboxItem {
    const data: MessageStatusChangedData = {
      messageId: message.id,
      channel: message.channel,
      status: message.status,
      previousStatus,
      connectionId: message.connectionId,
      providerId: message.providerId,
      providerMessageId: message.providerMessageId,
      idempotencyKey: message.idempotencyKey,
      failure:
        message.status === 'Failed' || message.status === 'Bounced'
          ? { category: message.failureCategory ?? 'Validation', code: message.failureCode ?? 'failed', message: message.failureMessage ?? '' }
          : null,
      changedAt: message.updatedAt.toISOString(),
    };
    // One event per message and status: a status is reached once, so its id is stable (duplicate detection drops a repeat).
    const id = `${message.id}:${message.status}`;
    const event = buildCloudEvent({ type: EVENTS.MessageStatusChanged, source: EVENT_SOURCE, data, tenantid: message.tenantId, subject: message.id, id, trusted: true });
    return { pattern: EVENTS.MessageStatusChanged, message: this.publisher.prepareEvent(EVENTS.MessageStatusChanged, event, { tenantId: message.tenantId, messageId: id }) };
  }

  private sendCommand(message: Message, command: ChannelCommand): OutboxItem {
    const options = { tenantId: message.tenantId, messageId: `${message.id}:send` };
    if (message.channel === 'email') return { pattern: COMMANDS.SendEmail, message: this.publisher.prepareCommand(COMMANDS.SendEmail, command as SendEmailCommand, options) };
    return { pattern: COMMANDS.SendSms, message: this.publisher.prepareCommand(COMMANDS.SendSms, command as SendSmsCommand, options) };
  }
}

function trimmed(history: MessageEvent[]): MessageEvent[] {
  return history.length > MAX_HISTORY ? [history[0], ...history.slice(history.length - MAX_HISTORY + 1)] : history;
}
