import { Injectable } from '@nestjs/common';
import type { IntegrationSync } from './integration-sync.entity';
import type { SyncPageEntry } from './sync-page.entity';
import { SyncRows } from './sync-rows';

/** Reads the conditional-request cache (written by SyncCheckpoints, in the page's transaction). */
@Injectable()
export class SyncPageCache {
  constructor(private readonly rows: SyncRows) {}

  async find(sync: IntegrationSync, pageKey: string): Promise<SyncPageEntry | undefined> {
    const [row] = await this.rows.sql.all<SyncPageEntry>({
      sql: 'SELECT "tenantId", "connectionId", "syncName", "pageKey", "etag", "next", "recordIds", "lastPass" FROM sync_pages WHERE "tenantId" = ? AND "connectionId" = ? AND "syncName" = ? AND "pageKey" = ?',
      parameters: [sync.tenantId, sync.connectionId, sync.name, pageKey],
    });
    return row;
  }
}
