import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { runOf } from '../integrations/governed/governed-http-client';
import { BusOptions } from '../messaging/bus.options';
import { PoisonMessageError } from '../messaging/bus-message';
import { MessageBus } from '../messaging/message-bus';
import { ENTITY_DEFAULTS } from '../messaging/topology';
import { classifyError, FailureClassification, IntegrationError } from '../resilience/failure-classifier';
import type { MessageChannel, MessageFailureData, MessageStatus, SendEmailCommand, SendSmsCommand } from './message-contracts';
import { MessageDraft, MessageRecords } from './message-records';
import { MessageRoutes } from './message-routes';
import type { Message } from './message.entity';
import { MessagesOptions } from './messages.options';

/** What a provider said when it took a message. */
export interface SendReceipt {
  providerId: string;
  /** The provider's id for the message, which its delivery reports name. */
  providerMessageId: string | null;
  /** Default Sent; Delivered or a failure when the provider knew at once (an operation polled to its end). */
  status?: Exclude<MessageStatus, 'Queued'>;
  /** The run of the call that sent it. */
  runId?: string;
  detail?: string;
  failure?: MessageFailureData;
}

/**
 * A channel's way out on one connection: picks the provider by the connection, sends, and throws an
 * IntegrationError (whose category decides failover) when the message did not go out. `message.id` is
 * the message's stable idempotency key for providers that take one.
 */
export interface ChannelSender<C> {
  send(connectionId: string, command: C, message: Message): Promise<SendReceipt>;
}

/** A channel as the sending loop and the HTTP API need it: how a command becomes a record, and how it goes out. */
export interface ChannelDefinition<C extends SendEmailCommand | SendSmsCommand> {
  readonly channel: MessageChannel;
  /** Validates a command (throws a Validation IntegrationError naming the field) and describes its record. */
  draft(command: unknown): { command: C; draft: MessageDraft };
  readonly sender: ChannelSender<C>;
  /** Moves what is too big for a bus message out of a command about to be queued (an email's attachments, to blobs). */
  stage?(tenantId: string, messageId: string, command: C): Promise<C>;
  /** Removes what `stage` moved out, once the message no longer needs it (it was sent, or failed for good). */
  settle?(tenantId: string, messageId: string, command: C): Promise<void>;
}

/** Failures another connection (or later) can cure: the message moves on. Auth and Validation are the message's or the connection's fault everywhere. */
const FAILS_OVER = new Set(['Transient', 'RateLimited']);
/** The governed client's refusal when the connection's own rate budget is spent (nothing was sent). */
const BUDGET_REFUSED = 'rate_budget_exhausted';

/**
 * Handles SendEmail / SendSms: records a command that arrives without a record, then tries the
 * message's connection, or its route's connections in order. A Transient or RateLimited failure (an
 * open breaker, a spent budget, a 5xx, a 4xx SMTP reply) moves to the next connection; when every one
 * failed so, the command is retried by the bus with backoff, until MESSAGE_MAX_ATTEMPTS makes it Failed.
 * Any other failure makes it Failed at once.
 */
@Injectable()
export class MessageSending {
  private readonly logger = new Logger(MessageSending.name);
  private readonly maxAttempts: number;
  private readonly budgetWaitMs: number;

  constructor(
    private readonly records: MessageRecords,
    private readonly routes: MessageRoutes,
    options: MessagesOptions,
    bus: BusOptions,
    messageBus: MessageBus,
  ) {
    const busLimit = messageBus.kind === 'store' ? bus.maxDeliveryCount : ENTITY_DEFAULTS.maxDeliveryCount;
    this.maxAttempts = Math.min(options.maxAttempts, busLimit);
    this.budgetWaitMs = options.budgetWaitMs;
  }

  /** One delivery of a command from the bus (`busMessageId` names it across redeliveries). Throws to have it redelivered. */
  async handle<C extends SendEmailCommand | SendSmsCommand>(tenantId: string, raw: unknown, definition: ChannelDefinition<C>, busMessageId: string): Promise<void> {
    const recordedId = typeof raw === 'object' && raw !== null ? (raw as { messageId?: unknown }).messageId : undefined;
    let message: Message | null;
    let command: C;
    if (typeof recordedId === 'string') {
      // Queued by the HTTP API, which validated it and recorded the message in the same transaction.
      message = await this.records.find(tenantId, definition.channel, recordedId);
      if (!message) throw new PoisonMessageError('message_not_found', `Message ${recordedId} is not recorded for this tenant`);
      command = raw as C;
    } else {
      const parsed = draftOf(definition, raw);
      const recorded = await this.records.record(tenantId, parsed.draft, undefined, messageIdOf(tenantId, busMessageId));
      // The idempotency key was used before: that message is the one, and it is not sent again.
      if (recorded.duplicate) return;
      message = recorded.message;
      command = parsed.command;
    }
    await this.deliver(message, command, definition.sender);
    // Returning (not throwing) means the message is no longer Queued: what was staged for it can go.
    await definition.settle?.(tenantId, message.id, command);
  }

  private async deliver<C>(message: Message, command: C, sender: ChannelSender<C>): Promise<void> {
    // A redelivered command for a message already sent (or given up on): nothing more to do.
    if (message.status !== 'Queued') return;
    let targets: string[];
    try {
      targets = message.routeName ? await this.routes.connectionsOf(message.tenantId, message.channel, message.routeName) : [message.connectionId!];
    } catch (error) {
      await this.records.transition(message, { status: 'Failed', failure: failureOf(error, classifyError(error)) });
      return;
    }
    let retryAfterMs: number | undefined;
    for (const [index, connectionId] of targets.entries()) {
      let receipt: SendReceipt;
      try {
        receipt = await sendWithinBudget(() => sender.send(connectionId, command, message), this.budgetWaitMs);
      } catch (error) {
        const classification = classifyError(error);
        const failure = failureOf(error, classification);
        const runId = runOf(error)?.id;
        if (!FAILS_OVER.has(classification.category)) {
          await this.records.transition(message, { status: 'Failed', connectionId, runId, failure });
          return;
        }
        const last = index === targets.length - 1;
        if (last && message.attempts + 1 >= this.maxAttempts) {
          await this.records.transition(message, { status: 'Failed', connectionId, runId, failure, detail: `Not sent after ${message.attempts + 1} attempts` });
          return;
        }
        // Our own budget said "not yet": nothing went out, so it costs the message no attempt.
        await this.records.recordFailedAttempt(message, { connectionId, runId, failure, countsAttempt: last && classification.code !== BUDGET_REFUSED });
        if (classification.retryAfterMs !== undefined) retryAfterMs = Math.min(retryAfterMs ?? Infinity, classification.retryAfterMs);
        this.logger.warn({ msg: 'Message not sent on this connection', messageId: message.id, connectionId, category: classification.category, code: classification.code });
        continue;
      }
      await this.records.transition(message, {
        status: receipt.status ?? 'Sent',
        connectionId,
        providerId: receipt.providerId,
        providerMessageId: receipt.providerMessageId,
        runId: receipt.runId,
        detail: receipt.detail,
        failure: receipt.failure,
      });
      return;
    }
    throw IntegrationError.transient('message_not_sent', `Message ${message.id} was not sent on any of its connections; it will be retried`, { retryAfterMs });
  }
}

/** A command from another service, validated: an invalid one is poison (redelivering cannot cure it). */
function draftOf<C extends SendEmailCommand | SendSmsCommand>(definition: ChannelDefinition<C>, raw: unknown): { command: C; draft: MessageDraft } {
  try {
    return definition.draft(raw);
  } catch (error) {
    if (error instanceof IntegrationError && error.category === 'Validation') throw new PoisonMessageError('invalid_command', error.message);
    throw error;
  }
}

/**
 * A send paced by the connection's rate budget: a refusal that names a wait within MESSAGE_BUDGET_WAIT
 * is waited out and the send tried again, so a burst goes out at the budget's rate instead of failing.
 */
async function sendWithinBudget(send: () => Promise<SendReceipt>, budgetWaitMs: number): Promise<SendReceipt> {
  const deadline = Date.now() + budgetWaitMs;
  for (;;) {
    try {
      return await send();
    } catch (error) {
      const wait = error instanceof IntegrationError && error.code === BUDGET_REFUSED ? (error.retryAfterMs ?? 100) : undefined;
      if (wait === undefined || Date.now() + wait > deadline) throw error;
      await sleep(wait);
    }
  }
}

/** A command from another service becomes the same record however often the bus delivers it. */
function messageIdOf(tenantId: string, busMessageId: string): string {
  return `msg-${createHash('sha256').update(`${tenantId}\n${busMessageId}`).digest('hex').slice(0, 20)}`;
}

function failureOf(error: unknown, classification: FailureClassification): MessageFailureData {
  const message = error instanceof IntegrationError ? error.message : `The send failed: ${classification.code}`;
  return { category: classification.category, code: classification.code, message };
}
