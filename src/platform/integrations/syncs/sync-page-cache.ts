import { Injectable } from '@nestjs/common';
import type { IntegrationSync } from './integration-sync.entity';
import { SCOPE } from './record-statements';
import type { SyncPageEntry } from './sync-page.entity';
import type { SqlStatement } from './sync-sql';
import { SyncRows } from './sync-rows';

/**
 * The conditional-request cache (`sync_pages`): read before a page is asked for; its statements join the
 * page's checkpoint transaction, so an entry always describes records the store holds.
 */
@Injectable()
export class SyncPageCache {
  constructor(private readonly rows: SyncRows) {}

  async find(sync: IntegrationSync, pageKey: string): Promise<SyncPageEntry | undefined> {
    const [row] = await this.rows.sql.all<SyncPageEntry>({
      sql: `SELECT "tenantId", "connectionId", "syncName", "pageKey", "etag", "next", "recordIds", "lastPass" FROM sync_pages WHERE ${SCOPE} AND "pageKey" = ?`,
      parameters: [sync.tenantId, sync.connectionId, sync.name, pageKey],
    });
    return row;
  }

  /** The page answered with an ETag: what it held and where it led, for the next pass's If-None-Match. */
  store(scope: readonly string[], entry: { pageKey: string; etag: string; next: string | null; recordIds: readonly string[]; pass: number; fetchedAt: unknown }): SqlStatement {
    return {
      sql:
        'INSERT INTO sync_pages ("tenantId", "connectionId", "syncName", "pageKey", "etag", "next", "recordIds", "lastPass", "fetchedAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ' +
        'ON CONFLICT ("tenantId", "connectionId", "syncName", "pageKey") DO UPDATE SET "etag" = excluded."etag", "next" = excluded."next", "recordIds" = excluded."recordIds", "lastPass" = excluded."lastPass", "fetchedAt" = excluded."fetchedAt"',
      parameters: [...scope, entry.pageKey, entry.etag.slice(0, 512), entry.next, JSON.stringify(entry.recordIds), entry.pass, entry.fetchedAt],
    };
  }

  /** A 304: the entry is still current, and used by this pass. */
  touch(scope: readonly string[], pageKey: string, pass: number): SqlStatement {
    return { sql: `UPDATE sync_pages SET "lastPass" = ? WHERE ${SCOPE} AND "pageKey" = ?`, parameters: [pass, ...scope, pageKey] };
  }

  /** The page answered without an ETag: nothing to send back next time. */
  forget(scope: readonly string[], pageKey: string): SqlStatement {
    return { sql: `DELETE FROM sync_pages WHERE ${SCOPE} AND "pageKey" = ?`, parameters: [...scope, pageKey] };
  }

  /** A completed pass: entries no page of it used (positions that no longer exist, old `since`s) go. */
  prune(scope: readonly string[], pass: number): SqlStatement {
    return { sql: `DELETE FROM sync_pages WHERE ${SCOPE} AND "lastPass" < ?`, parameters: [...scope, pass] };
  }
}
