import type { GovernedRequest } from '../../../platform/integrations/governed/governed-request';
import type { VendorAnswer } from '../../../platform/vendors/vendor-descriptor';
import { createWorkItem, getWorkItem, queryWorkItems, toWorkItem, updateWorkItem, wiqlIds } from './work-items.operations';

const context = { connectionId: 'conn-1', configuration: {} };
const answer = (body: unknown): VendorAnswer => ({ status: 200, headers: {}, body, runId: 'run-1' });

const WORK_ITEM = {
  id: 42,
  rev: 3,
  fields: {
    'System.WorkItemType': 'User Story',
    'System.Title': 'Checkout',
    'System.State': 'Active',
    'System.AreaPath': 'Fabrikam',
    'System.IterationPath': 'Fabrikam\\Sprint 1',
    'System.AssignedTo': { id: 'u-1', displayName: 'Ada', uniqueName: 'ada@fabrikam.example', descriptor: 'aad.x' },
    'System.CreatedDate': '2025-01-01T00:00:00Z',
    'System.ChangedDate': '2025-01-02T00:00:00Z',
    'Microsoft.VSTS.Common.Priority': 2,
  },
  _links: { html: { href: 'https://dev.azure.com/fabrikam/Fabrikam/_workitems/edit/42' } },
  url: 'https://dev.azure.com/fabrikam/p-1/_apis/wit/workItems/42',
};

describe('Azure DevOps work item operations', () => {
  const operations = [{ op: 'add' as const, path: '/fields/System.Title', value: 'Checkout' }];

  it('creates a work item of a type whose name needs encoding, by JSON Patch', () => {
    const request = createWorkItem.request!({ project: 'Fabrikam Fiber', type: 'User Story', operations, bypassRules: true }, context);
    expect(request).toEqual({
      method: 'POST',
      path: '/Fabrikam%20Fiber/_apis/wit/workitems/$User%20Story',
      query: { bypassRules: 'true' },
      headers: { 'content-type': 'application/json-patch+json' },
      body: JSON.stringify(operations),
    });
  });

  it('updates a work item by JSON Patch, a test on /rev making it conditional', () => {
    const patch = [
      { op: 'test' as const, path: '/rev', value: 3 },
      { op: 'replace' as const, path: '/fields/System.State', value: 'Closed' },
    ];
    const request = updateWorkItem.request!({ project: 'P', id: 42, operations: patch }, context);
    expect(request).toMatchObject({ method: 'PATCH', path: '/P/_apis/wit/workitems/42', headers: { 'content-type': 'application/json-patch+json' } });
    expect(JSON.parse(String(request.body))).toEqual(patch);
  });

  it('gets a work item with the fields asked for', () => {
    expect(getWorkItem.request!({ project: 'P', id: 42, fields: ['System.Title', 'System.State'] }, context)).toEqual({
      method: 'GET',
      path: '/P/_apis/wit/workitems/42',
      query: { fields: 'System.Title,System.State' },
    });
  });

  it('maps a work item to its stable shape, all fields kept', () => {
    expect(toWorkItem(WORK_ITEM)).toEqual({
      id: 42,
      rev: 3,
      type: 'User Story',
      title: 'Checkout',
      state: 'Active',
      assignedTo: { id: 'u-1', displayName: 'Ada', uniqueName: 'ada@fabrikam.example' },
      areaPath: 'Fabrikam',
      iterationPath: 'Fabrikam\\Sprint 1',
      createdDate: '2025-01-01T00:00:00Z',
      changedDate: '2025-01-02T00:00:00Z',
      url: WORK_ITEM.url,
      webUrl: WORK_ITEM._links.html.href,
      fields: WORK_ITEM.fields,
    });
  });

  it('reads the ids of flat and of link queries', () => {
    expect(
      wiqlIds(
        answer({
          queryType: 'flat',
          workItems: [
            { id: 3, url: 'u' },
            { id: 1, url: 'u' },
          ],
        }),
      ),
    ).toEqual([3, 1]);
    expect(
      wiqlIds(answer({ queryType: 'oneHop', workItemRelations: [{ source: null, target: { id: 5 } }, { source: { id: 5 }, target: { id: 6 } }, { target: { id: 6 } }] })),
    ).toEqual([5, 6]);
  });

  describe('query (WIQL)', () => {
    const run = async (input: Parameters<NonNullable<typeof queryWorkItems.run>>[0], answers: (request: GovernedRequest) => unknown) => {
      const calls: GovernedRequest[] = [];
      const output = await queryWorkItems.run!(
        input,
        async (request) => {
          calls.push(request);
          return answer(answers(request));
        },
        context,
      );
      return { output, calls };
    };

    it('answers the ids of one WIQL call, with time precision', async () => {
      const query = "SELECT [System.Id] FROM WorkItems WHERE [System.ChangedDate] >= '2025-01-01T10:00:00Z'";
      const { output, calls } = await run({ project: 'P', query }, () => ({ workItems: [{ id: 7 }, { id: 9 }] }));
      expect(output).toEqual({ ids: [7, 9] });
      expect(calls).toEqual([
        {
          method: 'POST',
          path: '/P/_apis/wit/wiql',
          query: { $top: '200', timePrecision: 'true' },
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query }),
        },
      ]);
    });

    it('reads the items in batches of 200 when asked to', async () => {
      const ids = Array.from({ length: 450 }, (_, index) => index + 1);
      const { output, calls } = await run({ project: 'P', query: 'SELECT [System.Id] FROM WorkItems', top: 1000, includeItems: true, fields: ['System.Title'] }, (request) => {
        if (request.path.endsWith('/wiql')) return { workItems: ids.map((id) => ({ id })) };
        const batch = JSON.parse(String(request.body)) as { ids: number[] };
        return { count: batch.ids.length, value: batch.ids.map((id) => (id === 300 ? null : { ...WORK_ITEM, id })) };
      });
      expect(calls.map((call) => call.path)).toEqual(['/P/_apis/wit/wiql', '/P/_apis/wit/workitemsbatch', '/P/_apis/wit/workitemsbatch', '/P/_apis/wit/workitemsbatch']);
      expect(calls.slice(1).map((call) => JSON.parse(String(call.body)).ids.length)).toEqual([200, 200, 50]);
      expect(JSON.parse(String(calls[1].body))).toMatchObject({ errorPolicy: 'omit', fields: ['System.Title'] });
      expect(output.ids).toHaveLength(450);
      // An item deleted between the query and the read is left out (errorPolicy omit answers null for it).
      expect(output.items).toHaveLength(449);
    });
  });
});
