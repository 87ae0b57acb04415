import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import { Client, ClientConfig } from 'pg';
import type { AfterCommit, StoreTransaction } from '../../persistence/store-transaction';
import type { ConsumeOptions, DeadLetteredMessage, MessageConsumer, MessageHandler, OutgoingMessage } from '../bus-message';
import { MessageBus } from '../message-bus';
import { MessageSource, sourcePath, topicByName } from '../topology';
import type { BusTableStore, MessageRow } from './bus-table-store';
import { PullConsumer } from '../pull-consumer';
import { StoreDeliverySource } from './store-delivery-source';

export interface StoreBusSettings {
  duplicateDetectionWindowMs: number;
  pollIntervalMs: number;
  /** PostgreSQL only: a dedicated connection LISTENs here for "new message in <entity>". */
  listen?: { connection: ClientConfig; channel: string };
}

const PURGE_INTERVAL_MS = 60_000;
const LISTEN_RECONNECT_MS = [500, 1_000, 2_000, 5_000];

/**
 * The embedded bus: queues and topic subscriptions are rows in the relational store. Fine for a laptop
 * and for small multi-process installs on PostgreSQL; at scale, use Azure Service Bus.
 */
export class StoreMessageBus extends MessageBus {
  readonly kind = 'store' as const;
  private readonly logger = new Logger(StoreMessageBus.name);
  private readonly consumers = new Set<PullConsumer>();
  private readonly written = new EventEmitter();
  private readonly purgeTimer: NodeJS.Timeout;
  private listener?: Client;
  private listening = false;
  private closed = false;
  private listenAttempts = 0;

  constructor(
    private readonly store: BusTableStore,
    private readonly settings: StoreBusSettings,
  ) {
    super();
    this.written.setMaxListeners(0);
    this.purgeTimer = setInterval(() => void this.purgeDuplicates(), PURGE_INTERVAL_MS);
    this.purgeTimer.unref();
  }

  async send(queue: string, messages: readonly OutgoingMessage[]): Promise<void> {
    await this.write(queue, [queue], messages);
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    await this.write(topic, this.targetsOf(topic), messages);
  }

  private targetsOf(topic: string): string[] {
    const definition = topicByName(topic);
    if (!definition) throw new Error(`Unknown topic ${topic}`);
    return definition.subscriptions.map((subscription) => sourcePath({ topic, subscription: subscription.name }));
  }

  override publishWithin(transaction: StoreTransaction, topic: string, messages: readonly OutgoingMessage[]): AfterCommit | Promise<AfterCommit> {
    return this.writeWithin(transaction, topic, this.targetsOf(topic), messages);
  }

  override sendWithin(transaction: StoreTransaction, queue: string, messages: readonly OutgoingMessage[]): AfterCommit | Promise<AfterCommit> {
    return this.writeWithin(transaction, queue, [queue], messages);
  }

  private writeWithin(transaction: StoreTransaction, dedupeKey: string, targets: readonly string[], messages: readonly OutgoingMessage[]): AfterCommit | Promise<AfterCommit> {
    const wake = () => {
      if (!this.listening) for (const target of targets) this.written.emit(target);
    };
    const committed = this.store.insertWithin(transaction, dedupeKey, targets, this.rowsOf(messages), this.settings.duplicateDetectionWindowMs);
    if (committed instanceof Promise) {
      return committed.then((notify) => () => {
        notify();
        wake();
      });
    }
    return () => {
      committed();
      wake();
    };
  }

  async consume(source: MessageSource, handler: MessageHandler, options: ConsumeOptions): Promise<MessageConsumer> {
    const entity = sourcePath(source);
    if (this.settings.listen && !this.listening) await this.startListening();
    const deliveries = new StoreDeliverySource(entity, this.store, {
      lockDurationMs: options.lockDurationMs,
      maxDeliveryCount: options.maxDeliveryCount,
      pollIntervalMs: this.settings.pollIntervalMs,
    });
    const wake = () => deliveries.notify();
    this.written.on(entity, wake);
    const consumer = new PullConsumer(deliveries, handler, options);
    this.consumers.add(consumer);
    return {
      stopReceiving: async () => {
        this.written.off(entity, wake);
        await consumer.stopReceiving();
      },
      close: async () => {
        this.written.off(entity, wake);
        this.consumers.delete(consumer);
        await consumer.close();
      },
    };
  }

  depth(source: MessageSource): Promise<number> {
    return this.store.depth(sourcePath(source));
  }

  ping(): Promise<void> {
    return this.store.ping();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.purgeTimer);
    await Promise.all([...this.consumers].map((consumer) => consumer.close()));
    await this.listener?.end().catch(() => undefined);
  }

  async peekDeadLetters(source: MessageSource, max: number): Promise<DeadLetteredMessage[]> {
    const rows = await this.store.deadLetters(sourcePath(source), max);
    return rows.map((row) => ({
      messageId: row.messageId,
      subject: row.subject,
      body: parseOrRaw(row.body),
      reason: row.reason,
      description: row.description ?? undefined,
    }));
  }

  /** A batch repeating an id would trip the duplicate table twice in one statement: keep the first. */
  private rowsOf(messages: readonly OutgoingMessage[]): MessageRow[] {
    const seen = new Set<string>();
    const rows: MessageRow[] = [];
    for (const message of messages) {
      if (seen.has(message.messageId)) continue;
      seen.add(message.messageId);
      rows.push(toMessageRow(message));
    }
    return rows;
  }

  private async write(dedupeKey: string, targets: readonly string[], messages: readonly OutgoingMessage[]): Promise<void> {
    await this.store.insert(dedupeKey, targets, this.rowsOf(messages), this.settings.duplicateDetectionWindowMs);
    if (!this.listening) for (const target of targets) this.written.emit(target);
  }

  private async startListening(): Promise<void> {
    const { connection, channel } = this.settings.listen!;
    const client = new Client(connection);
    client.on('notification', (notification) => {
      if (notification.payload) this.written.emit(notification.payload);
    });
    client.on('error', (error) => {
      this.logger.warn({ msg: 'Store bus notification connection failed; consumers poll until it is back', err: error });
      void this.restartListening(client);
    });
    client.on('end', () => void this.restartListening(client));
    await client.connect();
    await client.query(`LISTEN "${channel}"`);
    this.listener = client;
    this.listening = true;
    this.listenAttempts = 0;
  }

  private async restartListening(failed: Client): Promise<void> {
    if (this.listener !== failed || this.closed) return;
    this.listener = undefined;
    this.listening = false;
    failed.removeAllListeners();
    await failed.end().catch(() => undefined);
    // Wake everyone: anything written while we were deaf is found by a claim.
    for (const entity of this.written.eventNames()) this.written.emit(entity);
    while (!this.closed && !this.listening) {
      const delay = LISTEN_RECONNECT_MS[Math.min(this.listenAttempts, LISTEN_RECONNECT_MS.length - 1)];
      this.listenAttempts += 1;
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
      try {
        await this.startListening();
        this.logger.log({ msg: 'Store bus notification connection restored' });
      } catch {
        // Still down: consumers keep polling; try again.
      }
    }
  }

  private async purgeDuplicates(): Promise<void> {
    try {
      await this.store.purgeExpiredDuplicates();
    } catch (error) {
      this.logger.debug({ msg: 'Purging expired duplicate-detection entries failed', err: error });
    }
  }
}

/** The row a message becomes in `bus_messages` (also used by the bus benchmark's raw baseline). */
export function toMessageRow(message: OutgoingMessage): MessageRow {
  return {
    messageId: message.messageId,
    correlationId: message.correlationId ?? null,
    subject: message.subject,
    tenantId: message.tenantId,
    traceparent: message.traceparent ?? null,
    contentType: message.contentType ?? 'application/json',
    properties: message.applicationProperties ? JSON.stringify(message.applicationProperties) : null,
    body: JSON.stringify(message.body ?? null),
    visibleAt: message.scheduledEnqueueTime ? message.scheduledEnqueueTime.getTime() : null,
    detectDuplicates: message.detectDuplicates !== false,
  };
}

/** Dead letters may hold bodies that never parsed (that is often why they are there). */
function parseOrRaw(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}
