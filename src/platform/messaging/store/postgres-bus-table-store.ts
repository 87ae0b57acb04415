import type { Pool } from 'pg';
import type { AfterCommit, StoreTransaction } from '../../persistence/store-transaction';
import type { BusTableStore, DeadLetterRow, LockedMessage, MessageRow, StoredMessage } from './bus-table-store';

/**
 * The database clock, so leases and schedules agree across hosts whatever their clock skew. The
 * statement's start time: stable within a statement, so it is computed once, not once per row.
 */
const NOW = `(extract(epoch from statement_timestamp()) * 1000)::bigint`;

/**
 * PostgreSQL flavour: several processes share the tables safely. Claims use `FOR UPDATE SKIP LOCKED`
 * so competing consumers never block on or double-take a row; inserts notify `channel` so idle
 * consumers wake at once instead of waiting for their next poll.
 */
export class PostgresBusTableStore implements BusTableStore {
  private readonly notifyQueued = new Set<string>();
  private nextNotify?: Promise<void>;
  private notifyInFlight?: Promise<void>;

  constructor(
    private readonly pool: Pool,
    private readonly channel: string,
  ) {}

  async insert(dedupeKey: string, targets: readonly string[], rows: readonly MessageRow[], duplicateWindowMs: number): Promise<void> {
    if (rows.length === 0 || targets.length === 0) return;
    const { name, sql, parameters } = this.insertStatement(dedupeKey, targets, rows, duplicateWindowMs);
    await this.prepared(name, sql, parameters);
    await this.notify(targets);
  }

  /** The insert on the caller's transaction; consumers are notified once it has committed. */
  async insertWithin(transaction: StoreTransaction, dedupeKey: string, targets: readonly string[], rows: readonly MessageRow[], duplicateWindowMs: number): Promise<AfterCommit> {
    if (transaction.dialect !== 'postgres') throw new TypeError('The PostgreSQL store bus joins PostgreSQL transactions only');
    if (rows.length === 0 || targets.length === 0) return () => undefined;
    const { sql, parameters } = this.insertStatement(dedupeKey, targets, rows, duplicateWindowMs);
    await transaction.query(sql, parameters);
    return () => void this.notify(targets).catch(() => undefined);
  }

  private insertStatement(
    dedupeKey: string,
    targets: readonly string[],
    rows: readonly MessageRow[],
    duplicateWindowMs: number,
  ): { name: string; sql: string; parameters: unknown[] } {
    const column = <K extends keyof MessageRow>(key: K) => rows.map((row) => row[key]);
    const params = [
      column('messageId'),
      column('correlationId'),
      column('subject'),
      column('tenantId'),
      column('traceparent'),
      column('contentType'),
      column('properties'),
      column('body'),
      column('visibleAt'),
      [...targets],
      column('detectDuplicates'),
    ];
    const incoming = `SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $11::boolean[])
      AS t(message_id, correlation_id, subject, tenant_id, traceparent, content_type, properties, body, visible_at, detect)`;
    const insertMessages = (source: string) => `INSERT INTO bus_messages
        (entity, message_id, correlation_id, subject, tenant_id, traceparent, content_type, properties, body, enqueued_at, delivery_count, visible_at)
      SELECT target, i.message_id, i.correlation_id, i.subject, i.tenant_id, i.traceparent, i.content_type, i.properties, i.body,
             ${NOW}, 0, COALESCE(i.visible_at, ${NOW})
      FROM (SELECT i.* FROM ${source}) AS i CROSS JOIN unnest($10::text[]) AS target`;
    if (duplicateWindowMs > 0 && rows.some((row) => row.detectDuplicates)) {
      // An id inside the window is a duplicate; an expired entry is refreshed and counts as new.
      return {
        name: 'insert_checked',
        sql: `WITH incoming AS (${incoming}),
         fresh AS (
           INSERT INTO bus_duplicates (entity, message_id, expires_at)
           SELECT $12, message_id, ${NOW} + $13 FROM incoming WHERE detect
           ON CONFLICT (entity, message_id) DO UPDATE SET expires_at = EXCLUDED.expires_at
             WHERE bus_duplicates.expires_at < ${NOW}
           RETURNING message_id)
         ${insertMessages('incoming i LEFT JOIN fresh USING (message_id) WHERE NOT i.detect OR fresh.message_id IS NOT NULL')}`,
        parameters: [...params, dedupeKey, duplicateWindowMs],
      };
    }
    return { name: 'insert', sql: `WITH incoming AS (${incoming}) ${insertMessages('incoming i')}`, parameters: params };
  }

  /**
   * NOTIFY after the insert committed, coalesced: while one notification is in flight, later writers
   * share the next one (it starts after their inserts committed). Folding pg_notify into the insert
   * would be one round trip less, but a notifying transaction holds PostgreSQL's global notify lock
   * through its commit flush, which serialises concurrent producers.
   */
  private notify(targets: readonly string[]): Promise<void> {
    for (const target of targets) this.notifyQueued.add(target);
    this.nextNotify ??= (async () => {
      await this.notifyInFlight?.catch(() => undefined);
      this.nextNotify = undefined;
      const entities = [...this.notifyQueued];
      this.notifyQueued.clear();
      this.notifyInFlight = this.prepared('notify', 'SELECT pg_notify($1, target) FROM unnest($2::text[]) AS target', [this.channel, entities]).then(() => undefined);
      await this.notifyInFlight;
    })();
    return this.nextNotify;
  }

  async claim(entity: string, limit: number, leaseMs: number, lockToken: string): Promise<StoredMessage[]> {
    // bus_claim (migration StoreBusClaim) locks with FOR UPDATE SKIP LOCKED along the ready index.
    const { rows } = await this.prepared('claim', 'SELECT * FROM bus_claim($1, $2, $3, $4)', [entity, limit, leaseMs, lockToken]);
    return rows.map(toStoredMessage).sort((a, b) => a.id - b.id);
  }

  async complete(locked: readonly LockedMessage[]): Promise<number[]> {
    const { rows } = await this.prepared(
      'complete',
      `DELETE FROM bus_messages m USING unnest($1::bigint[], $2::text[]) AS settled(id, lock_token)
       WHERE m.id = settled.id AND m.lock_token = settled.lock_token RETURNING m.id`,
      [locked.map((entry) => entry.id), locked.map((entry) => entry.lockToken)],
    );
    return rows.map((row: { id: string }) => Number(row.id));
  }

  async abandon(id: number, lockToken: string, delayMs: number): Promise<boolean> {
    const { rowCount } = await this.prepared('abandon', `UPDATE bus_messages SET visible_at = ${NOW} + $3, lock_token = NULL WHERE id = $1 AND lock_token = $2`, [
      id,
      lockToken,
      delayMs,
    ]);
    return rowCount === 1;
  }

  async deadLetter(id: number, lockToken: string, reason: string, description: string | null): Promise<boolean> {
    const { rowCount } = await this.prepared(
      'dead_letter',
      `WITH moved AS (DELETE FROM bus_messages WHERE id = $1 AND lock_token = $2 RETURNING *)
       INSERT INTO bus_dead_letters
         (entity, message_id, correlation_id, subject, tenant_id, traceparent, content_type, properties, body, enqueued_at,
          delivery_count, reason, description, dead_lettered_at)
       SELECT entity, message_id, correlation_id, subject, tenant_id, traceparent, content_type, properties, body, enqueued_at,
              delivery_count, $3, $4, ${NOW}
       FROM moved`,
      [id, lockToken, reason, description],
    );
    return rowCount === 1;
  }

  async renew(ids: readonly number[], lockToken: string, leaseMs: number): Promise<number[]> {
    const { rows } = await this.prepared('renew', `UPDATE bus_messages SET visible_at = ${NOW} + $3 WHERE id = ANY($1::bigint[]) AND lock_token = $2 RETURNING id`, [
      [...ids],
      lockToken,
      leaseMs,
    ]);
    return rows.map((row: { id: string }) => Number(row.id));
  }

  async release(ids: readonly number[], lockToken: string): Promise<void> {
    if (ids.length === 0) return;
    await this.prepared(
      'release',
      `UPDATE bus_messages SET visible_at = ${NOW}, lock_token = NULL, delivery_count = delivery_count - 1
       WHERE id = ANY($1::bigint[]) AND lock_token = $2`,
      [[...ids], lockToken],
    );
  }

  async nextVisibleIn(entity: string): Promise<number | null> {
    const { rows } = await this.prepared('next_visible', `SELECT min(visible_at) - ${NOW} AS wait FROM bus_messages WHERE entity = $1`, [entity]);
    const wait = rows[0]?.wait;
    return wait === null || wait === undefined ? null : Math.max(0, Number(wait));
  }

  async depth(entity: string): Promise<number> {
    const { rows } = await this.pool.query('SELECT count(*)::int AS n FROM bus_messages WHERE entity = $1', [entity]);
    return rows[0].n;
  }

  async deadLetters(entity: string, limit: number): Promise<DeadLetterRow[]> {
    const { rows } = await this.pool.query(
      `SELECT entity, message_id, subject, body, reason, description, delivery_count FROM bus_dead_letters
       WHERE entity = $1 ORDER BY id LIMIT $2`,
      [entity, limit],
    );
    return rows.map((row) => ({
      entity: row.entity,
      messageId: row.message_id,
      subject: row.subject,
      body: row.body,
      reason: row.reason,
      description: row.description,
      deliveryCount: row.delivery_count,
    }));
  }

  async purgeExpiredDuplicates(): Promise<number> {
    const { rowCount } = await this.pool.query(`DELETE FROM bus_duplicates WHERE expires_at < ${NOW}`);
    return rowCount ?? 0;
  }

  /** Named statements: parsed and planned once per connection, which matters for many small ones. */
  private prepared(name: string, text: string, values: unknown[]) {
    return this.pool.query({ name: `bus_${name}`, text, values });
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1 FROM bus_messages LIMIT 1');
  }
}

function toStoredMessage(row: Record<string, unknown>): StoredMessage {
  return {
    id: Number(row.id),
    entity: row.entity as string,
    messageId: row.message_id as string,
    correlationId: row.correlation_id as string | null,
    subject: row.subject as string,
    tenantId: row.tenant_id as string,
    traceparent: row.traceparent as string | null,
    contentType: row.content_type as string | null,
    properties: row.properties as string | null,
    body: row.body as string,
    enqueuedAt: Number(row.enqueued_at),
    deliveryCount: Number(row.delivery_count),
  };
}
