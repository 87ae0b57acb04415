import { IntegrationError } from '../../../platform/resilience/failure-classifier';
import type { SyncPage, SyncSource } from '../../../platform/vendors/vendor-descriptor';
import { batchWorkItems, wiqlIds, wiqlRequest, workItemsBatchRequest } from '../operations/work-items.operations';
import { isNonNegativeInteger, parseCursor, projectOf } from './sync-cursor';

/** Ids one WIQL page lists; the cursor carries them to the batch pages that read them. */
export const WIQL_PAGE_SIZE = 200;
/** Work items one batch page reads. */
export const WORK_ITEMS_PAGE_SIZE = 100;

/**
 * Where a work item pass stands: a WIQL page to query (ids above `after`), or ids listed by the last
 * WIQL page still to be read (`more`: that page was full, so a WIQL page follows them).
 */
type WorkItemsCursor = { readonly after: number } | { readonly ids: readonly number[]; readonly more: boolean };

const isCursor = (value: unknown): value is WorkItemsCursor => {
  if (typeof value !== 'object' || value === null) return false;
  const cursor = value as Record<string, unknown>;
  if ('after' in cursor) return isNonNegativeInteger(cursor.after);
  return Array.isArray(cursor.ids) && cursor.ids.length > 0 && cursor.ids.every(isNonNegativeInteger) && typeof cursor.more === 'boolean';
};

/**
 * Work items changed since the watermark, in two kinds of page (one request each): a WIQL page lists up
 * to 200 ids, in id order, and yields no records; the batch pages after it read those ids, 100 at a time
 * (`workitemsbatch`). Paging by id, not by `ChangedDate`, keeps a page boundary exact when many items
 * share a change time; `ChangedDate >= since` (to the second: `timePrecision`) narrows incremental passes.
 */
export const WORK_ITEMS_SYNC: SyncSource = {
  name: 'work_items',
  description: 'Work items (WIQL by System.ChangedDate), read 100 per page',
  incremental: true,
  request: (position, context) => {
    const project = projectOf(context.configuration);
    const cursor = position.page === null ? { after: 0 } : parseCursor(position.page, isCursor);
    if ('after' in cursor) return wiqlRequest(project, workItemsQuery(cursor.after, position.since, project !== undefined), WIQL_PAGE_SIZE);
    return workItemsBatchRequest(project, cursor.ids.slice(0, WORK_ITEMS_PAGE_SIZE));
  },
  read: (answer, position): SyncPage => {
    const cursor = position.page === null ? { after: 0 } : parseCursor(position.page, isCursor);
    if ('after' in cursor) {
      const ids = wiqlIds(answer);
      return { records: [], next: ids.length === 0 ? null : JSON.stringify({ ids, more: ids.length >= WIQL_PAGE_SIZE }) };
    }
    const records = batchWorkItems(answer).map((item) => ({ id: String(item.id), data: item, ...(item.changedDate ? { updatedAt: item.changedDate } : {}) }));
    const rest = cursor.ids.slice(WORK_ITEMS_PAGE_SIZE);
    const next = rest.length > 0 ? { ids: rest, more: cursor.more } : cursor.more ? { after: cursor.ids[cursor.ids.length - 1] } : null;
    return { records, next: next === null ? null : JSON.stringify(next) };
  },
};

/** The WIQL of one id page; `since` comes from the watermark, re-rendered so it can only be a date. */
export function workItemsQuery(after: number, since: string | null, inProject: boolean): string {
  const conditions = [`[System.Id] > ${after}`];
  if (inProject) conditions.push('[System.TeamProject] = @project');
  if (since !== null) {
    const at = Date.parse(since);
    if (!Number.isFinite(at)) throw IntegrationError.validation('sync_watermark_invalid', 'The sync watermark is not a date');
    conditions.push(`[System.ChangedDate] >= '${new Date(at).toISOString()}'`);
  }
  return `SELECT [System.Id] FROM WorkItems WHERE ${conditions.join(' AND ')} ORDER BY [System.Id] ASC`;
}
