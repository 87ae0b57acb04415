import type { SyncPosition, VendorAnswer } from '../../platform/vendors/vendor-descriptor';
import { COMPANIES_SOURCE, CONTACTS_SOURCE, DEALS_SOURCE } from './hubspot.sync-sources';

const context = (configuration: Record<string, unknown> = {}) => ({ connectionId: 'conn-1', configuration });
const answer = (results: unknown[], after?: string): VendorAnswer => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: { total: 99_999, results, ...(after ? { paging: { next: { after, link: `?after=${after}` } } } : {}) },
  runId: 'r',
});
const contact = (id: number, modified: string) => ({
  id: String(id),
  properties: { email: `c${id}@example.com`, lastmodifieddate: modified, hs_object_id: String(id) },
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: modified,
  archived: false,
});
const bodyOf = (request: { body?: string | Buffer }) => JSON.parse(String(request.body));

describe('HubSpot sync sources', () => {
  it('searches a full pass oldest modification first, with no filter, and pages with after', () => {
    const first: SyncPosition = { page: null, since: null };
    const request = CONTACTS_SOURCE.request(first, context());
    expect(request).toMatchObject({ method: 'POST', path: '/crm/v3/objects/contacts/search', headers: { 'content-type': 'application/json' } });
    expect(bodyOf(request)).toEqual({
      filterGroups: [],
      sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
      properties: expect.arrayContaining(['email', 'firstname', 'createdate', 'lastmodifieddate']),
      limit: 100,
    });
    const page = CONTACTS_SOURCE.read(answer([contact(7, '2025-03-01T10:00:00.000Z')], '100'), first, context());
    expect(page.records).toEqual([
      {
        id: '7',
        updatedAt: '2025-03-01T10:00:00.000Z',
        data: expect.objectContaining({ id: '7', properties: expect.objectContaining({ email: 'c7@example.com' }), archived: false }),
      },
    ]);
    expect(bodyOf(CONTACTS_SOURCE.request({ page: page.next, since: null }, context()))).toMatchObject({ filterGroups: [], after: '100' });
    expect(CONTACTS_SOURCE.read(answer([]), { page: page.next, since: null }, context()).next).toBeNull();
  });

  it('narrows an incremental pass to modifications at or after the watermark, by hs_lastmodifieddate for companies and deals', () => {
    const since = '2025-03-01T10:00:00.000Z';
    for (const [source, property] of [
      [CONTACTS_SOURCE, 'lastmodifieddate'],
      [COMPANIES_SOURCE, 'hs_lastmodifieddate'],
      [DEALS_SOURCE, 'hs_lastmodifieddate'],
    ] as const) {
      const body = bodyOf(source.request({ page: null, since }, context({ pageSize: 20 })));
      expect(body).toMatchObject({
        filterGroups: [{ filters: [{ propertyName: property, operator: 'GTE', value: String(Date.parse(since)) }] }],
        sorts: [{ propertyName: property, direction: 'ASCENDING' }],
        limit: 20,
      });
      expect(source.incremental).toBe(true);
    }
  });

  it('restarts the search from the last modification seen when after reaches the search window', () => {
    const position: SyncPosition = { page: JSON.stringify({ from: '2025-01-01T00:00:00.000Z', after: '9900' }), since: null };
    const page = CONTACTS_SOURCE.read(answer([contact(1, '2025-02-01T00:00:00.000Z'), contact(2, '2025-02-02T00:00:00.000Z')], '10000'), position, context());
    expect(JSON.parse(page.next!)).toEqual({ from: '2025-02-02T00:00:00.000Z', after: null });
    const restarted = bodyOf(CONTACTS_SOURCE.request({ page: page.next, since: null }, context()));
    expect(restarted.filterGroups).toEqual([{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: String(Date.parse('2025-02-02T00:00:00.000Z')) }] }]);
    expect(restarted.after).toBeUndefined();

    // A smaller window (configuration.searchResultLimit) restarts sooner.
    const small = CONTACTS_SOURCE.read(answer([contact(3, '2025-02-03T00:00:00.000Z')], '50'), { page: null, since: null }, context({ searchResultLimit: 50 }));
    expect(JSON.parse(small.next!)).toEqual({ from: '2025-02-03T00:00:00.000Z', after: null });
  });

  it('stops rather than skip objects when a whole search window shares one modification date', () => {
    const instant = '2025-02-02T00:00:00.000Z';
    const position: SyncPosition = { page: JSON.stringify({ from: instant, after: '40' }), since: null };
    expect(() => CONTACTS_SOURCE.read(answer([contact(1, instant)], '50'), position, context({ searchResultLimit: 50 }))).toThrow('share the modification date');
  });
});
