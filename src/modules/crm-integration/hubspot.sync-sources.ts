import { IntegrationError } from '../../platform/resilience/failure-classifier';
import type { OperationContext, SyncPosition, SyncSource } from '../../platform/vendors/vendor-descriptor';
import { pageSizeOf, searchResultLimitOf } from './hubspot.configuration';
import { bodyOf, HubSpotJson, jsonBody, listOf, MODIFIED_PROPERTY, nextAfterOf, ObjectType, path, toCrmObject } from './operations/shared';

/** The properties each record carries (besides HubSpot's own `hs_object_id`, `createdate` and the modification date). */
export const SYNC_PROPERTIES: Readonly<Record<ObjectType, readonly string[]>> = {
  contacts: ['email', 'firstname', 'lastname', 'phone', 'company', 'lifecyclestage'],
  companies: ['name', 'domain', 'industry', 'city', 'country', 'lifecyclestage'],
  deals: ['dealname', 'amount', 'dealstage', 'pipeline', 'closedate', 'hubspot_owner_id'],
};

/** Where a page starts: `from`, the modification date the filter starts at (null: everything), and HubSpot's `after` within that search. */
interface Cursor {
  from: string | null;
  after: string | null;
}

function cursorOf(position: SyncPosition): Cursor {
  if (position.page === null) return { from: position.since, after: null };
  try {
    const parsed = JSON.parse(position.page) as Partial<Cursor>;
    return { from: typeof parsed.from === 'string' ? parsed.from : null, after: typeof parsed.after === 'string' ? parsed.after : null };
  } catch {
    throw IntegrationError.poison('hubspot_sync_cursor_malformed', 'The sync cursor is not one this source wrote');
  }
}

function isoOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  const parsed = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isFinite(parsed) ? new Date(parsed).toISOString() : undefined;
}

/**
 * One object type through the search endpoint, oldest modification first: a GTE filter on the
 * modification date from the pass's watermark (or everything on a full pass), `after` paging within it.
 * HubSpot's search cannot page past 10,000 results (`configuration.searchResultLimit`): when the next
 * `after` reaches it, the search restarts with the filter from the last modification date seen, so a
 * pass goes on past any number of objects. Objects modified at that same instant are read again (the
 * record store's content hash makes that free); more than 10,000 objects sharing one modification
 * instant cannot be paged and stop the pass with an error rather than skip any.
 */
export function objectSource(type: ObjectType): SyncSource {
  const modified = MODIFIED_PROPERTY[type];
  const properties = [...SYNC_PROPERTIES[type], 'createdate', modified];
  return {
    name: type,
    description: `HubSpot ${type} by search, oldest ${modified} first, incremental by ${modified}`,
    incremental: true,
    request: (position: SyncPosition, context: OperationContext) => {
      const cursor = cursorOf(position);
      const from = cursor.from === null ? undefined : Date.parse(cursor.from);
      return {
        method: 'POST',
        path: path('crm', 'v3', 'objects', type, 'search'),
        ...jsonBody({
          filterGroups: from === undefined || Number.isNaN(from) ? [] : [{ filters: [{ propertyName: modified, operator: 'GTE', value: String(from) }] }],
          sorts: [{ propertyName: modified, direction: 'ASCENDING' }],
          properties,
          limit: pageSizeOf(context.configuration),
          after: cursor.after ?? undefined,
        }),
      };
    },
    read: (answer, position, context) => {
      const cursor = cursorOf(position);
      const body = bodyOf(answer);
      const results = listOf(body.results);
      const updatedAtOf = (object: HubSpotJson) => isoOf(object.properties?.[modified]) ?? isoOf(object.updatedAt);
      const records = results.map((object) => {
        const updatedAt = updatedAtOf(object);
        return { id: String(object.id), data: toCrmObject(object), ...(updatedAt ? { updatedAt } : {}) };
      });
      const after = nextAfterOf(body);
      if (after === null) return { records, next: null };
      const offset = Number(after);
      if (!Number.isInteger(offset) || offset < searchResultLimitOf(context.configuration)) return { records, next: JSON.stringify({ from: cursor.from, after }) };
      const last = results.length > 0 ? updatedAtOf(results[results.length - 1]) : undefined;
      if (last === undefined || last === cursor.from) {
        throw IntegrationError.poison('hubspot_search_window_exhausted', `More ${type} than one HubSpot search can page through share the modification date ${last ?? '(none)'}`);
      }
      return { records, next: JSON.stringify({ from: last, after: null }) };
    },
  };
}

export const CONTACTS_SOURCE = objectSource('contacts');
export const COMPANIES_SOURCE = objectSource('companies');
export const DEALS_SOURCE = objectSource('deals');

export const HUBSPOT_SYNC_SOURCES: readonly SyncSource[] = [CONTACTS_SOURCE, COMPANIES_SOURCE, DEALS_SOURCE];
