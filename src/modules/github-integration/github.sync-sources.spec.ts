import type { VendorAnswer } from '../../platform/vendors/vendor-descriptor';
import { ISSUES_SOURCE, PULL_REQUESTS_SOURCE, REPOSITORIES_SOURCE } from './github.sync-sources';

const BASE = 'https://ghe.example.com/api/v3';
const context = (configuration: Record<string, unknown> = {}) => ({ connectionId: 'conn-1', configuration: { baseUrl: BASE, ...configuration } });
const answer = (body: unknown, next?: string): VendorAnswer => ({
  status: 200,
  headers: next ? { link: `<${BASE}${next}>; rel="next", <${BASE}/x?page=9>; rel="last"` } : {},
  body,
  runId: 'r',
});

describe('GitHub sync sources', () => {
  describe('repositories', () => {
    it('pages the user’s or the organisation’s repositories through the Link header, relative to a GHES base URL', () => {
      expect(REPOSITORIES_SOURCE.request({ page: null, since: null }, context())).toEqual({
        method: 'GET',
        path: '/user/repos',
        query: { per_page: '100', sort: 'full_name', direction: 'asc' },
      });
      expect(REPOSITORIES_SOURCE.request({ page: null, since: null }, context({ syncOrg: 'octo-org' })).path).toBe('/orgs/octo-org/repos');
      const page = REPOSITORIES_SOURCE.read(
        answer([{ id: 1, full_name: 'o/a', updated_at: '2026-01-01T00:00:00Z' }], '/user/repos?per_page=100&page=2'),
        { page: null, since: null },
        context(),
      );
      expect(page).toEqual({
        records: [{ id: '1', data: expect.objectContaining({ full_name: 'o/a' }), updatedAt: '2026-01-01T00:00:00Z' }],
        next: '/user/repos?per_page=100&page=2',
      });
      expect(REPOSITORIES_SOURCE.request({ page: page.next, since: null }, context())).toEqual({ method: 'GET', path: '/user/repos', query: { per_page: '100', page: '2' } });
      expect(REPOSITORIES_SOURCE.incremental).toBe(false);
    });
  });

  describe('pull_requests', () => {
    const repos = context({ repositories: ['octo/one', 'octo/two'] });

    it('walks each configured repository, most recently updated first, page by page', () => {
      const first = PULL_REQUESTS_SOURCE.request({ page: null, since: null }, repos);
      expect(first).toEqual({ method: 'GET', path: '/repos/octo/one/pulls', query: { state: 'all', sort: 'updated', direction: 'desc', per_page: '100' } });
      const page1 = PULL_REQUESTS_SOURCE.read(
        answer([{ id: 11, number: 1, updated_at: '2026-02-01T00:00:00Z' }], '/repositories/5/pulls?page=2'),
        { page: null, since: null },
        repos,
      );
      expect(page1.records).toEqual([{ id: '11', data: expect.any(Object), updatedAt: '2026-02-01T00:00:00Z' }]);
      expect(PULL_REQUESTS_SOURCE.request({ page: page1.next, since: null }, repos)).toEqual({ method: 'GET', path: '/repositories/5/pulls', query: { page: '2' } });
      const page2 = PULL_REQUESTS_SOURCE.read(answer([{ id: 12, number: 2, updated_at: '2026-01-01T00:00:00Z' }]), { page: page1.next, since: null }, repos);
      expect(PULL_REQUESTS_SOURCE.request({ page: page2.next, since: null }, repos).path).toBe('/repos/octo/two/pulls');
      const last = PULL_REQUESTS_SOURCE.read(answer([]), { page: page2.next, since: null }, repos);
      expect(last.next).toBeNull();
    });

    it('stops a repository at the first pull request older than since', () => {
      const since = '2026-01-15T00:00:00Z';
      const page = PULL_REQUESTS_SOURCE.read(
        answer(
          [
            { id: 1, updated_at: '2026-02-01T00:00:00Z' },
            { id: 2, updated_at: '2026-01-01T00:00:00Z' },
          ],
          '/repos/octo/one/pulls?page=2',
        ),
        { page: null, since },
        repos,
      );
      expect(page.records.map((record) => record.id)).toEqual(['1']);
      expect(PULL_REQUESTS_SOURCE.request({ page: page.next, since }, repos).path).toBe('/repos/octo/two/pulls');
    });

    it('refuses a connection without repositories, and a cursor it did not write', () => {
      expect(() => PULL_REQUESTS_SOURCE.request({ page: null, since: null }, context())).toThrow('configuration.repositories');
      expect(() => PULL_REQUESTS_SOURCE.request({ page: 'garbage', since: null }, repos)).toThrow('not one this source wrote');
    });
  });

  describe('issues', () => {
    const repos = context({ repositories: ['octo/one'] });

    it('asks GitHub for what changed since the watermark, oldest first, and leaves pull requests out', () => {
      expect(ISSUES_SOURCE.request({ page: null, since: '2026-01-01T00:00:00Z' }, repos)).toEqual({
        method: 'GET',
        path: '/repos/octo/one/issues',
        query: { state: 'all', sort: 'updated', direction: 'asc', per_page: '100', since: '2026-01-01T00:00:00Z' },
      });
      const page = ISSUES_SOURCE.read(
        answer([
          { id: 1, number: 1, updated_at: 'a' },
          { id: 2, number: 2, updated_at: 'b', pull_request: { url: 'x' } },
        ]),
        { page: null, since: null },
        repos,
      );
      expect(page).toEqual({ records: [{ id: '1', data: expect.any(Object), updatedAt: 'a' }], next: null });
    });
  });
});
