import type { VendorAnswer } from '../../platform/vendors/vendor-descriptor';
import { INCREMENTAL_TICKETS_PATH, startTimeOf, TICKETS_SOURCE } from './zendesk.sync-sources';

const CONTEXT = { connectionId: 'conn-1', configuration: { subdomain: 'acme' } };
const NOW = Date.parse('2026-03-01T12:00:00Z');
const answer = (body: unknown): VendorAnswer => ({ status: 200, headers: { 'content-type': 'application/json' }, body, runId: 'run-1' });

describe('Zendesk tickets sync source (incremental cursor export)', () => {
  it('starts a full pass at start_time 0 and an incremental one at the watermark, then follows the cursor', () => {
    expect(TICKETS_SOURCE.request({ page: null, since: null }, CONTEXT)).toEqual({ method: 'GET', path: INCREMENTAL_TICKETS_PATH, query: { start_time: '0' } });
    const incremental = TICKETS_SOURCE.request({ page: null, since: '2026-02-01T10:00:00.000Z' }, CONTEXT);
    expect(incremental.query).toEqual({ start_time: String(Date.parse('2026-02-01T10:00:00Z') / 1000) });
    expect(TICKETS_SOURCE.request({ page: 'MTU3NjYxMzUzOS4wfHw0NTF8', since: '2026-02-01T10:00:00.000Z' }, CONTEXT)).toEqual({
      method: 'GET',
      path: INCREMENTAL_TICKETS_PATH,
      query: { cursor: 'MTU3NjYxMzUzOS4wfHw0NTF8' },
    });
  });

  it('never asks for a start_time less than a minute old (Zendesk refuses it)', () => {
    expect(startTimeOf('2026-03-01T11:59:30.000Z', NOW)).toBe(NOW / 1000 - 60);
    expect(startTimeOf('2026-03-01T11:00:00.500Z', NOW)).toBe(Date.parse('2026-03-01T11:00:00Z') / 1000);
    expect(startTimeOf('not a date', NOW)).toBe(0);
  });

  it('reads tickets as records (deleted ones as deleted) and goes on at after_cursor until end_of_stream', () => {
    const page = TICKETS_SOURCE.read(
      answer({
        tickets: [
          { id: 1, status: 'open', updated_at: '2026-02-01T10:00:00Z', subject: 'One' },
          { id: 2, status: 'deleted', updated_at: '2026-02-01T11:00:00Z' },
          { subject: 'no id' },
        ],
        after_url: 'https://acme.zendesk.com/api/v2/incremental/tickets/cursor.json?cursor=MTU3NjYxMzUzOS4wfHw0NTF8',
        after_cursor: 'MTU3NjYxMzUzOS4wfHw0NTF8',
        before_url: null,
        before_cursor: null,
        end_of_stream: false,
      }),
      { page: null, since: null },
      CONTEXT,
    );
    expect(page).toEqual({
      records: [
        { id: '1', data: expect.objectContaining({ subject: 'One' }), updatedAt: '2026-02-01T10:00:00.000Z' },
        { id: '2', data: expect.objectContaining({ id: 2 }), updatedAt: '2026-02-01T11:00:00.000Z', deleted: true },
      ],
      next: 'MTU3NjYxMzUzOS4wfHw0NTF8',
    });
    const last = TICKETS_SOURCE.read(answer({ tickets: [], after_cursor: 'MTU3NjYxMzU0MC4wfHw0NTJ8', end_of_stream: true }), { page: 'x', since: null }, CONTEXT);
    expect(last).toEqual({ records: [], next: null });
    expect(TICKETS_SOURCE.read(answer({ tickets: [], end_of_stream: false }), { page: 'x', since: null }, CONTEXT).next).toBeNull();
  });
});
