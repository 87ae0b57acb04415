import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { newId } from '../../persistence/ids';
import { RowChange, RowWriter } from '../../persistence/row-writer';
import type { AfterCommit, StoreTransaction } from '../../persistence/store-transaction';
import type { OutgoingMessage } from '../bus-message';
import { MessageBus } from '../message-bus';
import { routeFor } from '../topology';

/** A command or an event (by its pattern name) and its prepared message (BusPublisher.prepareCommand / prepareEvent). */
export interface OutboxItem {
  pattern: string;
  message: OutgoingMessage;
}

interface StoredOutboxRow {
  id: string;
  kind: 'queue' | 'topic';
  destination: string;
  message: string;
}

const RELAY_BATCH = 200;
const SWEEP_INTERVAL_MS = 5_000;

/**
 * Messages that must exist if and only if a store transaction commits (a received webhook's row and its
 * WebhookReceived; a delivery's row and its DeliverWebhook). With the store bus they are written into the
 * bus tables inside that transaction. With a bus outside the store (Service Bus) they are written to
 * `outbox_messages` inside it, published right after the commit by this process, and, should it crash
 * first, by any process's periodic sweep (at least once: consumers are idempotent on message ids).
 */
@Injectable()
export class TransactionalOutbox implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TransactionalOutbox.name);
  private relaying?: Promise<void>;
  private relayAgain = false;
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly bus: MessageBus,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly writer: RowWriter,
  ) {}

  /**
   * Rows (inserts, conditional updates) and the messages that announce them, in one store transaction;
   * consumers are woken once it has committed. A RowConflictError rolls back the rows and the messages.
   */
  async commit(change: RowChange, items: readonly OutboxItem[]): Promise<void> {
    let afterCommit: AfterCommit | undefined;
    await this.writer.write(
      change,
      items.length === 0
        ? undefined
        : (transaction) => {
            const joined = this.join(transaction, items);
            if (joined instanceof Promise) return joined.then((callback) => void (afterCommit = callback));
            afterCommit = joined;
          },
    );
    afterCommit?.();
  }

  /** Whether messages go straight into the bus tables (store bus) rather than through `outbox_messages`. */
  get native(): boolean {
    return typeof this.bus.publishWithin === 'function' && typeof this.bus.sendWithin === 'function';
  }

  /** Stages `items` in `transaction`. Run the returned callback once the transaction has committed. */
  async stage(transaction: StoreTransaction, items: readonly OutboxItem[]): Promise<AfterCommit> {
    const callbacks = this.native ? await this.stageInBus(transaction, items) : [await this.stageInTable(transaction, items)];
    return () => callbacks.forEach((callback) => callback());
  }

  /**
   * `stage` in the form the transaction needs: synchronous on SQLite (inside better-sqlite3's transaction
   * function), a promise on PostgreSQL. Fits RowWriter.insert's `alongside`.
   */
  join(transaction: StoreTransaction, items: readonly OutboxItem[]): AfterCommit | Promise<AfterCommit> {
    return transaction.dialect === 'sqlite' ? this.stageSync(transaction, items) : this.stage(transaction, items);
  }

  /** SQLite only: `stage` for a synchronous transaction (its callback must not await). */
  stageSync(transaction: StoreTransaction, items: readonly OutboxItem[]): AfterCommit {
    if (transaction.dialect !== 'sqlite') throw new TypeError('stageSync joins SQLite transactions only');
    const staged = this.native ? this.stageInBus(transaction, items) : this.stageInTable(transaction, items);
    if (staged instanceof Promise) throw new TypeError('The outbox could not stage synchronously');
    const callbacks = Array.isArray(staged) ? staged : [staged];
    return () => callbacks.forEach((callback) => callback());
  }

  onApplicationBootstrap(): void {
    if (this.native) return;
    this.sweeper = setInterval(() => this.kick(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
    this.kick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.sweeper);
    await this.relaying;
  }

  private stageInBus(transaction: StoreTransaction, items: readonly OutboxItem[]): AfterCommit[] | Promise<AfterCommit[]> {
    const results = [...groupByRoute(items)].map(([key, messages]) => {
      const [kind, destination] = key.split('\u0000') as ['queue' | 'topic', string];
      return kind === 'queue' ? this.bus.sendWithin!(transaction, destination, messages) : this.bus.publishWithin!(transaction, destination, messages);
    });
    return results.some((result) => result instanceof Promise) ? Promise.all(results) : (results as AfterCommit[]);
  }

  private stageInTable(transaction: StoreTransaction, items: readonly OutboxItem[]): AfterCommit | Promise<AfterCommit> {
    const now = new Date();
    const rows = items.map((item) => {
      const route = routeOf(item.pattern);
      return [newId('out'), route.kind, route.name, JSON.stringify(serialize(item.message)), now] as const;
    });
    const kick = () => this.kick();
    if (transaction.dialect === 'sqlite') {
      const insert = transaction.db.prepare('INSERT INTO outbox_messages (id, kind, destination, message, createdAt) VALUES (?, ?, ?, ?, ?)');
      for (const [id, kind, destination, message, createdAt] of rows) insert.run(id, kind, destination, message, createdAt.toISOString().replace('T', ' ').replace('Z', ''));
      return kick;
    }
    return transaction
      .query('INSERT INTO outbox_messages (id, kind, destination, message, "createdAt") SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])', [
        rows.map((row) => row[0]),
        rows.map((row) => row[1]),
        rows.map((row) => row[2]),
        rows.map((row) => row[3]),
        rows.map((row) => row[4]),
      ])
      .then(() => kick);
  }

  /** Publishes whatever waits in `outbox_messages`; concurrent kicks share one relay pass (and ask for another). */
  kick(): void {
    if (this.relaying) {
      this.relayAgain = true;
      return;
    }
    this.relaying = this.relay()
      .catch((error) => this.logger.warn({ msg: 'Outbox relay failed; the next sweep tries again', err: error }))
      .finally(() => {
        this.relaying = undefined;
        if (this.relayAgain) {
          this.relayAgain = false;
          this.kick();
        }
      });
  }

  private async relay(): Promise<void> {
    for (;;) {
      const relayed = this.dataSource.driver.options.type === 'postgres' ? await this.relayPostgres() : await this.relaySqlite();
      if (relayed < RELAY_BATCH) return;
    }
  }

  /** PostgreSQL: rows are locked while they are published, and rows another replica is relaying are skipped, not waited for. */
  private relayPostgres(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows: StoredOutboxRow[] = await manager.query(
        `SELECT id, kind, destination, message FROM outbox_messages ORDER BY "createdAt", id LIMIT ${RELAY_BATCH} FOR UPDATE SKIP LOCKED`,
      );
      await this.publishRows(rows);
      if (rows.length > 0) await manager.query('DELETE FROM outbox_messages WHERE id = ANY($1::text[])', [rows.map((row) => row.id)]);
      return rows.length;
    });
  }

  /**
   * SQLite: one process owns the file, so no locking is needed, and no transaction may stay open across
   * the publish (the embedded store has one connection: it would take in everyone else's writes).
   */
  private async relaySqlite(): Promise<number> {
    const rows: StoredOutboxRow[] = await this.dataSource.query(`SELECT id, kind, destination, message FROM outbox_messages ORDER BY createdAt, id LIMIT ${RELAY_BATCH}`);
    await this.publishRows(rows);
    if (rows.length > 0)
      await this.dataSource.query(
        `DELETE FROM outbox_messages WHERE id IN (${rows.map(() => '?').join(', ')})`,
        rows.map((row) => row.id),
      );
    return rows.length;
  }

  private async publishRows(rows: readonly StoredOutboxRow[]): Promise<void> {
    for (const [key, messages] of groupRows(rows)) {
      const [kind, destination] = key.split('\u0000');
      if (kind === 'queue') await this.bus.send(destination, messages);
      else await this.bus.publish(destination, messages);
    }
  }
}

function routeOf(pattern: string): { kind: 'queue' | 'topic'; name: string } {
  const route = routeFor(pattern);
  if (!route) throw new Error(`${pattern} is not a command or event of the bus topology`);
  return { kind: route.kind, name: route.definition.name };
}

function groupByRoute(items: readonly OutboxItem[]): Map<string, OutgoingMessage[]> {
  const groups = new Map<string, OutgoingMessage[]>();
  for (const item of items) {
    const route = routeOf(item.pattern);
    const key = `${route.kind}\u0000${route.name}`;
    groups.set(key, [...(groups.get(key) ?? []), item.message]);
  }
  return groups;
}

function groupRows(rows: readonly StoredOutboxRow[]): Map<string, OutgoingMessage[]> {
  const groups = new Map<string, OutgoingMessage[]>();
  for (const row of rows) {
    const key = `${row.kind}\u0000${row.destination}`;
    groups.set(key, [...(groups.get(key) ?? []), deserialize(JSON.parse(row.message))]);
  }
  return groups;
}

type SerializedMessage = Omit<OutgoingMessage, 'scheduledEnqueueTime'> & { scheduledEnqueueTime?: number };

function serialize(message: OutgoingMessage): SerializedMessage {
  return { ...message, scheduledEnqueueTime: message.scheduledEnqueueTime?.getTime() };
}

function deserialize(stored: SerializedMessage): OutgoingMessage {
  return { ...stored, scheduledEnqueueTime: stored.scheduledEnqueueTime === undefined ? undefined : new Date(stored.scheduledEnqueueTime) };
}
