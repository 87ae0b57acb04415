import { Injectable } from '@nestjs/common';
import type { SyncRecordInput } from '../../vendors/vendor-descriptor';
import { IntegrationError } from '../../resilience/failure-classifier';
import { TransactionalOutbox, OutboxItem } from '../../messaging/outbox/transactional-outbox';
import type { AfterCommit } from '../../persistence/store-transaction';
import { IntegrationEvents } from '../integration-events';
import { canonicalJson, contentHash } from './content-hash';
import type { RecordChange } from './external-record.entity';
import { CompletedPass, IntegrationSync, PassCounts } from './integration-sync.entity';
import { EVENTS } from '../../messaging/contracts';
import { ExternalRecordsChangedData, MAX_CHANGES_PER_EVENT, RecordChangeEntry } from './sync-events';
import { marks, SqlSession, SqlStatement, SyncSql } from './sync-sql';
import { SyncRows } from './sync-rows';
import type { SyncPageEntry } from './sync-page.entity';

const MAX_EXTERNAL_ID = 256;
const ROWS_PER_INSERT = 400;
const RECORD_COLUMNS = [
  'tenantId',
  'connectionId',
  'syncName',
  'externalId',
  'contentHash',
  'data',
  'vendorUpdatedAt',
  'firstSeenAt',
  'changedAt',
  'changeKind',
  'deletedAt',
  'lastSeenPass',
];
const UPSERT_SUFFIX =
  ' ON CONFLICT ("tenantId", "connectionId", "syncName", "externalId") DO UPDATE SET "contentHash" = excluded."contentHash", "data" = excluded."data", ' +
  '"vendorUpdatedAt" = excluded."vendorUpdatedAt", "changedAt" = excluded."changedAt", "changeKind" = excluded."changeKind", "deletedAt" = excluded."deletedAt", ' +
  '"lastSeenPass" = excluded."lastSeenPass"';
const SCOPE = '"tenantId" = ? AND "connectionId" = ? AND "syncName" = ?';

/** A page as the runner hands it over: read from a 2xx answer, or a 304 for a page the cache knows. */
export type CheckpointedPage =
  | { kind: 'read'; pageKey: string; records: readonly SyncRecordInput[]; next: string | null; etag: string | null }
  | { kind: 'not-modified'; pageKey: string; cached: SyncPageEntry };

export interface PageResult {
  counts: PassCounts;
  completed: boolean;
}

/** The run lost its lease (another run took the sync over): nothing of the page was written. */
export class SyncLeaseLostError extends Error {
  constructor(syncId: string) {
    super(`Sync ${syncId} was taken over by another run; the page was not checkpointed`);
    this.name = 'SyncLeaseLostError';
  }
}

interface PreparedRecord {
  externalId: string;
  canonical: string;
  hash: string;
  updatedAt: string | null;
  deleted: boolean;
}

/**
 * The checkpoint after every page, in ONE store transaction: the page's records (new and changed ones
 * upserted in one multi-row statement, unchanged ones only marked seen), the page's ETag, the sync's
 * cursor and counts, and the `ExternalRecordsChanged` event in the transactional outbox. A page is either
 * entirely recorded with its cursor advanced past it, or not at all. The last page of a pass also
 * completes it; a full pass then deletes what it did not see.
 */
@Injectable()
export class SyncCheckpoints {
  private readonly sql: SyncSql;

  constructor(
    private readonly outbox: TransactionalOutbox,
    private readonly events: IntegrationEvents,
    private readonly rows: SyncRows,
  ) {
    this.sql = rows.sql;
  }

  async commit(sync: IntegrationSync, providerId: string, page: CheckpointedPage, now = new Date()): Promise<PageResult> {
    const passNumber = sync.passNumber;
    const fullPass = sync.passKind === 'full';
    const scope = [sync.tenantId, sync.connectionId, sync.name];
    const statements: SqlStatement[] = [];
    const changes: RecordChangeEntry[] = [];
    const counts = { ...sync.passCounts, pages: sync.passCounts.pages + 1 };
    let next: string | null;
    let newestUpdatedAt = sync.passWatermark;
    const stamp = this.sql.time(now);

    if (page.kind === 'not-modified') {
      next = page.cached.next;
      const seen = JSON.parse(page.cached.recordIds) as string[];
      counts.seen += seen.length;
      statements.push(...this.markSeen(passNumber, scope, seen));
      statements.push({ sql: `UPDATE sync_pages SET "lastPass" = ? WHERE ${SCOPE} AND "pageKey" = ?`, parameters: [passNumber, ...scope, page.pageKey] });
    } else {
      next = page.next;
      const records = prepareRecords(page.records);
      counts.seen += records.filter((record) => !record.deleted).length;
      const known = await this.known(
        sync,
        records.map((record) => record.externalId),
      );
      const upserts: unknown[][] = [];
      const unchanged: string[] = [];
      for (const record of records) {
        if (record.updatedAt && (!newestUpdatedAt || record.updatedAt > newestUpdatedAt)) newestUpdatedAt = record.updatedAt;
        const existing = known.get(record.externalId);
        let change: RecordChange | undefined;
        if (record.deleted) change = existing && !existing.deleted ? 'deleted' : undefined;
        else if (!existing) change = 'created';
        else if (existing.deleted || existing.contentHash !== record.hash) change = 'updated';
        if (!change) {
          if (existing && !record.deleted) unchanged.push(record.externalId);
          continue;
        }
        counts[change] += 1;
        changes.push({ externalId: record.externalId, change });
        upserts.push([...scope, record.externalId, record.hash, record.canonical, record.updatedAt, stamp, stamp, change, change === 'deleted' ? stamp : null, passNumber]);
      }
      if (this.sql.dialect === 'postgres') {
        if (upserts.length > 0) statements.push(postgresUpsert(upserts));
      } else {
        for (let start = 0; start < upserts.length; start += ROWS_PER_INSERT) statements.push(upsertStatement(upserts.slice(start, start + ROWS_PER_INSERT)));
      }
      statements.push(...this.markSeen(passNumber, scope, unchanged));
      statements.push(
        page.etag
          ? {
              sql:
                'INSERT INTO sync_pages ("tenantId", "connectionId", "syncName", "pageKey", "etag", "next", "recordIds", "lastPass", "fetchedAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ' +
                'ON CONFLICT ("tenantId", "connectionId", "syncName", "pageKey") DO UPDATE SET "etag" = excluded."etag", "next" = excluded."next", "recordIds" = excluded."recordIds", "lastPass" = excluded."lastPass", "fetchedAt" = excluded."fetchedAt"',
              parameters: [
                ...scope,
                page.pageKey,
                page.etag.slice(0, 512),
                next,
                JSON.stringify(records.filter((record) => !record.deleted).map((record) => record.externalId)),
                passNumber,
                this.sql.time(now),
              ],
            }
          : { sql: `DELETE FROM sync_pages WHERE ${SCOPE} AND "pageKey" = ?`, parameters: [...scope, page.pageKey] },
      );
    }
    if (next !== null && next === sync.pageCursor) {
      throw IntegrationError.validation('sync_cursor_stuck', `Sync source ${sync.name} answered a page whose next page is itself`);
    }

    const completed = next === null;
    const deletion: SqlStatement | undefined =
      completed && fullPass
        ? {
            sql: `UPDATE external_records SET "deletedAt" = ?, "changedAt" = ?, "changeKind" = 'deleted' WHERE ${SCOPE} AND "deletedAt" IS NULL AND "lastSeenPass" < ? RETURNING "externalId"`,
            parameters: [this.sql.time(now), this.sql.time(now), ...scope, passNumber],
          }
        : undefined;
    if (completed) statements.push({ sql: `DELETE FROM sync_pages WHERE ${SCOPE} AND "lastPass" < ?`, parameters: [...scope, passNumber] });

    const progress = (deleted: RecordChangeEntry[]): Partial<IntegrationSync> => {
      const finalCounts = { ...counts, deleted: counts.deleted + deleted.length };
      if (!completed) return { pageCursor: next, passCounts: finalCounts, passWatermark: newestUpdatedAt };
      const lastPass: CompletedPass = { number: passNumber, kind: sync.passKind ?? 'full', completedAt: now.toISOString(), ...finalCounts };
      return {
        passId: null,
        pageCursor: null,
        passSince: null,
        passCounts: finalCounts,
        passWatermark: null,
        watermark: newestUpdatedAt && (!sync.watermark || newestUpdatedAt > sync.watermark) ? newestUpdatedAt : sync.watermark,
        lastPass,
        lastError: null,
        state: 'Idle',
        leaseOwner: null,
        runRequestedAt: null,
        lastCompletedAt: now,
        nextRunAt: sync.enabled ? new Date(now.getTime() + sync.intervalMs) : null,
      };
    };

    let afterCommit: AfterCommit | undefined;
    let changesMade: Partial<IntegrationSync> = {};
    const finish = (session: SqlSession, deleted: RecordChangeEntry[]): void | Promise<void> => {
      changesMade = progress(deleted);
      const update = this.rows.leasedUpdate(sync, changesMade, now);
      const items = this.items(sync, providerId, [...changes, ...deleted]);
      const stage = (affected: number): void | Promise<void> => {
        if (affected !== 1) throw new SyncLeaseLostError(sync.id);
        if (items.length === 0) return;
        const staged = this.outbox.join(session.transaction, items);
        if (staged instanceof Promise) return staged.then((callback) => void (afterCommit = callback));
        afterCommit = staged;
      };
      const affected = session.run(update);
      return affected instanceof Promise ? affected.then(stage) : stage(affected);
    };

    await this.sql.transaction((session) => {
      if (session.transaction.dialect === 'sqlite') {
        for (const statement of statements) session.run(statement);
        const deleted = deletion ? (session.all<{ externalId: string }>(deletion) as Array<{ externalId: string }>) : [];
        return finish(session, deleted.map(deletedEntry)) as void;
      }
      return (async () => {
        for (const statement of statements) await session.run(statement);
        const deleted = deletion ? await session.all<{ externalId: string }>(deletion) : [];
        await finish(session, deleted.map(deletedEntry));
      })();
    });
    afterCommit?.();
    Object.assign(sync, changesMade, { updatedAt: now });
    return { counts: sync.passCounts, completed };
  }

  private markSeen(passNumber: number, scope: readonly string[], ids: readonly string[]): SqlStatement[] {
    if (ids.length === 0) return [];
    if (this.sql.dialect === 'postgres') return [{ sql: `UPDATE external_records SET "lastSeenPass" = ? WHERE ${SCOPE} AND "externalId" = ANY(?::text[])`, parameters: [passNumber, ...scope, ids] }];
    return markSeenStatements(passNumber, scope, ids);
  }

  private async known(sync: IntegrationSync, ids: readonly string[]): Promise<Map<string, { contentHash: string; deleted: boolean }>> {
    const known = new Map<string, { contentHash: string; deleted: boolean }>();
    if (ids.length === 0) return known;
    const scope = [sync.tenantId, sync.connectionId, sync.name];
    const rows = await this.sql.all<{ externalId: string; contentHash: string; deletedAt: unknown }>(
      this.sql.dialect === 'postgres'
        ? { sql: `SELECT "externalId", "contentHash", "deletedAt" FROM external_records WHERE ${SCOPE} AND "externalId" = ANY(?::text[])`, parameters: [...scope, ids] }
        : { sql: `SELECT "externalId", "contentHash", "deletedAt" FROM external_records WHERE ${SCOPE} AND "externalId" IN (${marks(ids.length)})`, parameters: [...scope, ...ids] },
    );
    for (const row of rows) known.set(row.externalId, { contentHash: row.contentHash, deleted: row.deletedAt !== null });
    return known;
  }

  private items(sync: IntegrationSync, providerId: string, changes: readonly RecordChangeEntry[]): OutboxItem[] {
    const items: OutboxItem[] = [];
    for (let start = 0; start < changes.length; start += MAX_CHANGES_PER_EVENT) {
      const data: ExternalRecordsChangedData = {
        connectionId: sync.connectionId,
        providerId,
        sync: sync.name,
        pass: sync.passNumber,
        passKind: sync.passKind ?? 'full',
        changes: changes.slice(start, start + MAX_CHANGES_PER_EVENT),
      };
      const message = this.events.prepare(EVENTS.ExternalRecordsChanged, data, {
        tenantId: sync.tenantId,
        subject: `connections/${sync.connectionId}/syncs/${sync.name}`,
        detectDuplicates: false,
      });
      items.push({ pattern: EVENTS.ExternalRecordsChanged, message });
    }
    return items;
  }
}

/**
 * PostgreSQL: the page's rows as one array per column (`unnest`): one short statement whatever the page
 * size, planned cheaply, instead of a VALUES list of thousands of parameters.
 */
function postgresUpsert(rows: readonly unknown[][]): SqlStatement {
  const columns = RECORD_COLUMNS.map((_, column) => rows.map((row) => row[column]));
  return { sql: `INSERT INTO external_records (${RECORD_COLUMNS.map((column) => `"${column}"`).join(', ')}) SELECT * FROM unnest(${POSTGRES_ARRAYS})${UPSERT_SUFFIX}`, parameters: columns };
}

const POSTGRES_ARRAYS = ['text', 'text', 'text', 'text', 'text', 'text', 'text', 'timestamptz', 'timestamptz', 'text', 'timestamptz', 'int'].map((type) => `?::${type}[]`).join(', ');

/** Marks records seen by this pass (a full pass deletes what it did not see). */
function markSeenStatements(passNumber: number, scope: readonly string[], ids: readonly string[]): SqlStatement[] {
  const statements: SqlStatement[] = [];
  for (let start = 0; start < ids.length; start += ROWS_PER_INSERT) {
    const chunk = ids.slice(start, start + ROWS_PER_INSERT);
    statements.push({
      sql: `UPDATE external_records SET "lastSeenPass" = ? WHERE ${SCOPE} AND "externalId" IN (${marks(chunk.length)})`,
      parameters: [passNumber, ...scope, ...chunk],
    });
  }
  return statements;
}

function deletedEntry(row: { externalId: string }): RecordChangeEntry {
  return { externalId: row.externalId, change: 'deleted' };
}

const upsertSql = new Map<number, string>();

/** One multi-row upsert; its SQL is rendered once per row count (pages have a handful of sizes). */
function upsertStatement(rows: readonly unknown[][]): SqlStatement {
  let sql = upsertSql.get(rows.length);
  if (!sql) {
    const tuple = `(${marks(RECORD_COLUMNS.length)})`;
    sql = `INSERT INTO external_records (${RECORD_COLUMNS.map((column) => `"${column}"`).join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}${UPSERT_SUFFIX}`;
    if (upsertSql.size >= ROWS_PER_INSERT) upsertSql.clear();
    upsertSql.set(rows.length, sql);
  }
  return { sql, parameters: rows.flat() };
}

/** Validated, hashed, and one entry per id (a page that lists a record twice keeps its last copy). */
function prepareRecords(inputs: readonly SyncRecordInput[]): PreparedRecord[] {
  const byId = new Map<string, PreparedRecord>();
  for (const input of inputs) {
    if (typeof input?.id !== 'string' || input.id.length === 0 || input.id.length > MAX_EXTERNAL_ID) {
      throw IntegrationError.validation('sync_record_invalid', `A sync source answered a record whose id is not a string of 1 to ${MAX_EXTERNAL_ID} characters`);
    }
    const canonical = canonicalJson(input.data ?? null);
    const updatedAt = typeof input.updatedAt === 'string' && !Number.isNaN(Date.parse(input.updatedAt)) ? new Date(input.updatedAt).toISOString() : null;
    byId.delete(input.id);
    byId.set(input.id, { externalId: input.id, canonical, hash: contentHash(canonical), updatedAt, deleted: input.deleted === true });
  }
  return [...byId.values()];
}
