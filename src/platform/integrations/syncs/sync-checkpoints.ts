import { Injectable } from '@nestjs/common';
import type { SyncRecordInput } from '../../vendors/vendor-descriptor';
import { prepareRecords } from './prepared-records';
import { RecordStatements } from './record-statements';
import { SyncPageCache } from './sync-page-cache';
import { IntegrationError } from '../../resilience/failure-classifier';
import { TransactionalOutbox, OutboxItem } from '../../messaging/outbox/transactional-outbox';
import type { AfterCommit } from '../../persistence/store-transaction';
import { IntegrationEvents } from '../integration-events';
import type { RecordChange } from './external-record.entity';
import { CompletedPass, IntegrationSync, PassCounts } from './integration-sync.entity';
import { EVENTS } from '../../messaging/contracts';
import { ExternalRecordsChangedData, MAX_CHANGES_PER_EVENT, RecordChangeEntry } from './sync-events';
import { SqlSession, SqlStatement, SyncSql } from './sync-sql';
import { SyncRows } from './sync-rows';
import type { SyncPageEntry } from './sync-page.entity';

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
  private readonly records: RecordStatements;

  constructor(
    private readonly outbox: TransactionalOutbox,
    private readonly events: IntegrationEvents,
    private readonly rows: SyncRows,
    private readonly pages: SyncPageCache,
  ) {
    this.sql = rows.sql;
    this.records = new RecordStatements(this.sql.dialect);
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
      statements.push(...this.records.markSeen(passNumber, scope, seen));
      statements.push(this.pages.touch(scope, page.pageKey, passNumber));
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
      statements.push(...this.records.upsert(upserts));
      statements.push(...this.records.markSeen(passNumber, scope, unchanged));
      statements.push(
        page.etag
          ? this.pages.store(scope, {
              pageKey: page.pageKey,
              etag: page.etag,
              next,
              recordIds: records.filter((record) => !record.deleted).map((record) => record.externalId),
              pass: passNumber,
              fetchedAt: stamp,
            })
          : this.pages.forget(scope, page.pageKey),
      );
    }
    if (next !== null && next === sync.pageCursor) {
      throw IntegrationError.validation('sync_cursor_stuck', `Sync source ${sync.name} answered a page whose next page is itself`);
    }

    const completed = next === null;
    const deletion: SqlStatement | undefined = completed && fullPass ? this.records.deleteUnseen(scope, passNumber, stamp) : undefined;
    if (completed) statements.push(this.pages.prune(scope, passNumber));

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

  private async known(sync: IntegrationSync, ids: readonly string[]): Promise<Map<string, { contentHash: string; deleted: boolean }>> {
    const known = new Map<string, { contentHash: string; deleted: boolean }>();
    if (ids.length === 0) return known;
    const rows = await this.sql.all<{ externalId: string; contentHash: string; deletedAt: unknown }>(this.records.known([sync.tenantId, sync.connectionId, sync.name], ids));
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

function deletedEntry(row: { externalId: string }): RecordChangeEntry {
  return { externalId: row.externalId, change: 'deleted' };
}
