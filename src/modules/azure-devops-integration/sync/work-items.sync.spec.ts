import type { SyncPosition, VendorAnswer } from '../../../platform/vendors/vendor-descriptor';
import { WORK_ITEMS_SYNC, workItemsQuery } from './work-items.sync';

const context = { connectionId: 'conn-1', configuration: { project: 'Fabrikam Fiber' } };
const answer = (body: unknown): VendorAnswer => ({ status: 200, headers: {}, body, runId: 'run-1' });
const workItem = (id: number) => ({
  id,
  rev: 1,
  fields: { 'System.Title': `#${id}`, 'System.ChangedDate': `2025-01-01T00:00:${String(id % 60).padStart(2, '0')}Z` },
  url: `u/${id}`,
});

/** Pages a whole pass against `answerFor`, as the sync worker does: one request per page, the next position from the last page. */
function pass(since: string | null, answerFor: (request: ReturnType<typeof WORK_ITEMS_SYNC.request>) => unknown) {
  const requests: Array<ReturnType<typeof WORK_ITEMS_SYNC.request>> = [];
  const records: string[] = [];
  let position: SyncPosition = { page: null, since };
  for (let guard = 0; guard < 100; guard++) {
    const request = WORK_ITEMS_SYNC.request(position, context);
    requests.push(request);
    const page = WORK_ITEMS_SYNC.read(answer(answerFor(request)), position, context);
    records.push(...page.records.map((record) => record.id));
    if (page.next === null) return { requests, records };
    position = { page: page.next, since };
  }
  throw new Error('the pass never ended');
}

describe('work_items sync source', () => {
  it('queries ids above the last one, in the project, changed since the watermark, to the second', () => {
    expect(workItemsQuery(0, '2025-01-01T10:00:00.000Z', true)).toBe(
      "SELECT [System.Id] FROM WorkItems WHERE [System.Id] > 0 AND [System.TeamProject] = @project AND [System.ChangedDate] >= '2025-01-01T10:00:00.000Z' ORDER BY [System.Id] ASC",
    );
    expect(workItemsQuery(200, null, false)).toBe('SELECT [System.Id] FROM WorkItems WHERE [System.Id] > 200 ORDER BY [System.Id] ASC');
    expect(() => workItemsQuery(0, "2025-01-01' OR [System.Id] > '0", true)).toThrow(expect.objectContaining({ category: 'Validation' }));
    const request = WORK_ITEMS_SYNC.request({ page: null, since: null }, context);
    expect(request).toMatchObject({ method: 'POST', path: '/Fabrikam%20Fiber/_apis/wit/wiql', query: { $top: '200', timePrecision: 'true' } });
  });

  it('pages 450 work items as WIQL pages of 200 ids, each read by batch pages of 100, every item once', () => {
    const all = Array.from({ length: 450 }, (_, index) => index + 1);
    const { requests, records } = pass('2025-01-01T00:00:00.000Z', (request) => {
      if (request.path.endsWith('/wiql')) {
        const after = Number(/\[System\.Id\] > (\d+)/.exec(JSON.parse(String(request.body)).query)![1]);
        return {
          workItems: all
            .filter((id) => id > after)
            .slice(0, Number(request.query!.$top))
            .map((id) => ({ id })),
        };
      }
      const { ids } = JSON.parse(String(request.body)) as { ids: number[] };
      return { count: ids.length, value: ids.map(workItem) };
    });
    expect(records).toEqual(all.map(String));
    const kinds = requests.map((request) => (request.path.endsWith('/wiql') ? 'wiql' : `batch:${JSON.parse(String(request.body)).ids.length}`));
    expect(kinds).toEqual(['wiql', 'batch:100', 'batch:100', 'wiql', 'batch:100', 'batch:100', 'wiql', 'batch:50']);
  });

  it('ends a pass on an empty WIQL page, and records each item with its change date', () => {
    expect(pass(null, () => ({ workItems: [] })).records).toEqual([]);
    const first = WORK_ITEMS_SYNC.read(answer({ workItems: [{ id: 7 }] }), { page: null, since: null }, context);
    expect(first).toEqual({ records: [], next: JSON.stringify({ ids: [7], more: false }) });
    const batch = WORK_ITEMS_SYNC.read(answer({ count: 2, value: [workItem(7), null] }), { page: first.next, since: null }, context);
    expect(batch.next).toBeNull();
    expect(batch.records).toEqual([{ id: '7', data: expect.objectContaining({ id: 7, title: '#7' }), updatedAt: '2025-01-01T00:00:07Z' }]);
  });

  it('refuses a cursor it did not write', () => {
    expect(() => WORK_ITEMS_SYNC.request({ page: '{"ids":"1,2"}', since: null }, context)).toThrow(expect.objectContaining({ code: 'sync_cursor_invalid' }));
    expect(() => WORK_ITEMS_SYNC.request({ page: 'not json', since: null }, context)).toThrow(expect.objectContaining({ code: 'sync_cursor_invalid' }));
  });
});
