import type { Database } from 'better-sqlite3';
import type { AfterCommit, StoreTransaction } from '../../persistence/store-transaction';
import type { BusTableStore, DeadLetterRow, LockedMessage, MessageRow, StoredMessage } from './bus-table-store';

const RETURNED = `id, entity, message_id AS messageId, correlation_id AS correlationId, subject, tenant_id AS tenantId,
  traceparent, content_type AS contentType, properties, body, enqueued_at AS enqueuedAt, delivery_count AS deliveryCount`;

/**
 * SQLite flavour on the store's own better-sqlite3 connection: prepared statements run synchronously,
 * each claim is one atomic UPDATE ... RETURNING, and writes that must go together share a transaction
 * (IMMEDIATE, so several processes on one file serialise instead of deadlocking).
 */
export class SqliteBusTableStore implements BusTableStore {
  private readonly statements: ReturnType<SqliteBusTableStore['prepare']>;

  constructor(private readonly db: Database) {
    this.statements = this.prepare();
  }

  private prepare() {
    const db = this.db;
    return {
      markSeen: db.prepare(
        `INSERT INTO bus_duplicates (entity, message_id, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (entity, message_id) DO UPDATE SET expires_at = excluded.expires_at WHERE bus_duplicates.expires_at < ?`,
      ),
      insert: db.prepare(
        `INSERT INTO bus_messages
           (entity, message_id, correlation_id, subject, tenant_id, traceparent, content_type, properties, body, enqueued_at, delivery_count, visible_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)`,
      ),
      claim: db.prepare(
        `UPDATE bus_messages SET visible_at = ?, delivery_count = delivery_count + 1, lock_token = ?
         WHERE id IN (SELECT id FROM bus_messages WHERE entity = ? AND visible_at <= ? ORDER BY visible_at, id LIMIT ?)
         RETURNING ${RETURNED}`,
      ),
      completeOne: db.prepare('DELETE FROM bus_messages WHERE id = ? AND lock_token = ?'),
      abandon: db.prepare('UPDATE bus_messages SET visible_at = ?, lock_token = NULL WHERE id = ? AND lock_token = ?'),
      copyToDeadLetters: db.prepare(
        `INSERT INTO bus_dead_letters
           (entity, message_id, correlation_id, subject, tenant_id, traceparent, content_type, properties, body, enqueued_at,
            delivery_count, reason, description, dead_lettered_at)
         SELECT entity, message_id, correlation_id, subject, tenant_id, traceparent, content_type, properties, body, enqueued_at,
                delivery_count, ?, ?, ?
         FROM bus_messages WHERE id = ? AND lock_token = ?`,
      ),
      renewOne: db.prepare('UPDATE bus_messages SET visible_at = ? WHERE id = ? AND lock_token = ?'),
      releaseOne: db.prepare('UPDATE bus_messages SET visible_at = ?, lock_token = NULL, delivery_count = delivery_count - 1 WHERE id = ? AND lock_token = ?'),
      nextVisible: db.prepare('SELECT min(visible_at) AS visibleAt FROM bus_messages WHERE entity = ?'),
      depth: db.prepare('SELECT count(*) AS n FROM bus_messages WHERE entity = ?'),
      deadLetters: db.prepare(
        `SELECT entity, message_id AS messageId, subject, body, reason, description, delivery_count AS deliveryCount
         FROM bus_dead_letters WHERE entity = ? ORDER BY id LIMIT ?`,
      ),
      purge: db.prepare('DELETE FROM bus_duplicates WHERE expires_at < ?'),
      ping: db.prepare('SELECT 1 FROM bus_messages LIMIT 1'),
    };
  }

  async insert(dedupeKey: string, targets: readonly string[], rows: readonly MessageRow[], duplicateWindowMs: number): Promise<void> {
    this.db.transaction(() => this.insertRows(dedupeKey, targets, rows, duplicateWindowMs)).immediate();
  }

  insertWithin(transaction: StoreTransaction, dedupeKey: string, targets: readonly string[], rows: readonly MessageRow[], duplicateWindowMs: number): AfterCommit {
    if (transaction.dialect !== 'sqlite' || transaction.db !== this.db) throw new TypeError('The SQLite store bus joins transactions of its own connection only');
    this.insertRows(dedupeKey, targets, rows, duplicateWindowMs);
    return () => undefined;
  }

  /** Runs inside a transaction: its own (insert) or the caller's (insertWithin). */
  private insertRows(dedupeKey: string, targets: readonly string[], rows: readonly MessageRow[], duplicateWindowMs: number): void {
    const now = Date.now();
    for (const row of rows) {
      const duplicate = duplicateWindowMs > 0 && row.detectDuplicates && this.statements.markSeen.run(dedupeKey, row.messageId, now + duplicateWindowMs, now).changes === 0;
      if (duplicate) continue;
      for (const target of targets) {
        this.statements.insert.run(
          target,
          row.messageId,
          row.correlationId,
          row.subject,
          row.tenantId,
          row.traceparent,
          row.contentType,
          row.properties,
          row.body,
          now,
          row.visibleAt ?? now,
        );
      }
    }
  }

  async claim(entity: string, limit: number, leaseMs: number, lockToken: string): Promise<StoredMessage[]> {
    const now = Date.now();
    const rows = this.statements.claim.all(now + leaseMs, lockToken, entity, now, limit) as StoredMessage[];
    return rows.sort((a, b) => a.id - b.id);
  }

  async complete(locked: readonly LockedMessage[]): Promise<number[]> {
    if (locked.length === 0) return [];
    const run = this.db.transaction(() => locked.filter(({ id, lockToken }) => this.statements.completeOne.run(id, lockToken).changes === 1));
    return run.immediate().map((entry) => entry.id);
  }

  async abandon(id: number, lockToken: string, delayMs: number): Promise<boolean> {
    return this.statements.abandon.run(Date.now() + delayMs, id, lockToken).changes === 1;
  }

  async deadLetter(id: number, lockToken: string, reason: string, description: string | null): Promise<boolean> {
    const move = this.db.transaction(() => {
      if (this.statements.copyToDeadLetters.run(reason, description, Date.now(), id, lockToken).changes === 0) return false;
      this.statements.completeOne.run(id, lockToken);
      return true;
    });
    return move.immediate();
  }

  async renew(ids: readonly number[], lockToken: string, leaseMs: number): Promise<number[]> {
    const visibleAt = Date.now() + leaseMs;
    return this.eachInTransaction(ids, (id) => this.statements.renewOne.run(visibleAt, id, lockToken).changes === 1);
  }

  async release(ids: readonly number[], lockToken: string): Promise<void> {
    const now = Date.now();
    this.eachInTransaction(ids, (id) => this.statements.releaseOne.run(now, id, lockToken).changes === 1);
  }

  async nextVisibleIn(entity: string): Promise<number | null> {
    const { visibleAt } = this.statements.nextVisible.get(entity) as { visibleAt: number | null };
    return visibleAt === null ? null : Math.max(0, visibleAt - Date.now());
  }

  async depth(entity: string): Promise<number> {
    return (this.statements.depth.get(entity) as { n: number }).n;
  }

  async deadLetters(entity: string, limit: number): Promise<DeadLetterRow[]> {
    return this.statements.deadLetters.all(entity, limit) as DeadLetterRow[];
  }

  async purgeExpiredDuplicates(): Promise<number> {
    return this.statements.purge.run(Date.now()).changes;
  }

  async ping(): Promise<void> {
    this.statements.ping.get();
  }

  private eachInTransaction(ids: readonly number[], apply: (id: number) => boolean): number[] {
    if (ids.length === 0) return [];
    const run = this.db.transaction(() => ids.filter(apply));
    return run.immediate();
  }
}
