import type { GovernedRequest } from '../../platform/integrations/governed/governed-request';
import type { SyncSource } from '../../platform/vendors/vendor-descriptor';
import { bodyOf, listOf, stringOrNull } from './zendesk.json';

export const INCREMENTAL_TICKETS_PATH = '/api/v2/incremental/tickets/cursor.json';

/** Zendesk refuses a `start_time` less than a minute old ("Too recent start_time"), and leaves the last minute out anyway. */
export const START_TIME_MIN_AGE_S = 60;

/** The `start_time` of a pass's first page: 0 for a full pass, else the watermark (in whole seconds, at least a minute old). */
export function startTimeOf(since: string | null, now = Date.now()): number {
  if (since === null) return 0;
  const at = Date.parse(since);
  if (Number.isNaN(at)) return 0;
  return Math.max(0, Math.min(Math.floor(at / 1000), Math.floor(now / 1000) - START_TIME_MIN_AGE_S));
}

function isoOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : new Date(at).toISOString();
}

/**
 * Tickets through Zendesk's cursor-based incremental export: a pass starts at `start_time` (0 for a full
 * pass, the newest `updated_at` already stored for an incremental one) and follows `after_cursor` until
 * `end_of_stream`. The kernel checkpoints the cursor after every page, so an interrupted pass resumes at its
 * cursor; a completed pass leaves the newest `updated_at` as the watermark the next pass starts from.
 * Zendesk lists deleted tickets with status `deleted`: they are recorded as deleted.
 */
export const TICKETS_SOURCE: SyncSource = {
  name: 'tickets',
  description: 'Tickets, by the incremental cursor export (start_time, then after_cursor until end_of_stream), incremental by updated_at',
  incremental: true,
  request: (position): GovernedRequest => {
    const query: Record<string, string> = position.page !== null ? { cursor: position.page } : { start_time: String(startTimeOf(position.since)) };
    return { method: 'GET', path: INCREMENTAL_TICKETS_PATH, query };
  },
  read: (answer) => {
    const body = bodyOf(answer);
    const cursor = stringOrNull(body.after_cursor);
    return {
      records: listOf(body.tickets)
        .filter((ticket) => typeof ticket.id === 'number' || typeof ticket.id === 'string')
        .map((ticket) => ({ id: String(ticket.id), data: ticket, updatedAt: isoOf(ticket.updated_at), ...(ticket.status === 'deleted' ? { deleted: true } : {}) })),
      // end_of_stream: the pass has everything up to now; a cursor-less page that is not the end cannot go on either.
      next: body.end_of_stream === true || cursor === null || cursor.length === 0 ? null : cursor,
    };
  },
};

export const ZENDESK_SYNC_SOURCES: readonly SyncSource[] = [TICKETS_SOURCE];
