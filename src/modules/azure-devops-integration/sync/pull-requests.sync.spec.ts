import type { OperationContext, SyncPosition, VendorAnswer } from '../../../platform/vendors/vendor-descriptor';
import { PULL_REQUESTS_PAGE_SIZE, PULL_REQUESTS_SYNC } from './pull-requests.sync';

const answer = (body: unknown): VendorAnswer => ({ status: 200, headers: {}, body, runId: 'run-1' });
const pullRequest = (id: number) => ({ pullRequestId: id, title: `PR ${id}`, status: 'active', repository: { id: 'r', name: 'r' }, url: `u/${id}` });

function pass(context: OperationContext, counts: Record<string, number>) {
  const paths: string[] = [];
  const records: string[] = [];
  let position: SyncPosition = { page: null, since: null };
  let nextId = 1;
  for (let guard = 0; guard < 100; guard++) {
    const request = PULL_REQUESTS_SYNC.request(position, context);
    paths.push(`${request.path}?$skip=${request.query!.$skip}`);
    const total = counts[request.path];
    const size = Math.max(0, Math.min(PULL_REQUESTS_PAGE_SIZE, total - Number(request.query!.$skip)));
    const page = PULL_REQUESTS_SYNC.read(answer({ count: size, value: Array.from({ length: size }, () => pullRequest(nextId++)) }), position, context);
    records.push(...page.records.map((record) => record.id));
    if (page.next === null) return { paths, records };
    position = { page: page.next, since: null };
  }
  throw new Error('the pass never ended');
}

describe('pull_requests sync source', () => {
  it('pages every pull request of the project by $top/$skip when no repositories are configured', () => {
    const { paths, records } = pass({ connectionId: 'c', configuration: { project: 'P' } }, { '/P/_apis/git/pullrequests': 230 });
    expect(paths).toEqual(['/P/_apis/git/pullrequests?$skip=0', '/P/_apis/git/pullrequests?$skip=100', '/P/_apis/git/pullrequests?$skip=200']);
    expect(records).toHaveLength(230);
    expect(PULL_REQUESTS_SYNC.request({ page: null, since: null }, { connectionId: 'c', configuration: { project: 'P' } }).query).toEqual({
      'searchCriteria.status': 'all',
      $top: '100',
      $skip: '0',
    });
  });

  it('pages the configured repositories one after the other, a full last page costing one empty page', () => {
    const context = { connectionId: 'c', configuration: { project: 'P', repositories: ['web', 'api'] } };
    const { paths, records } = pass(context, { '/P/_apis/git/repositories/web/pullrequests': 100, '/P/_apis/git/repositories/api/pullrequests': 3 });
    expect(paths).toEqual([
      '/P/_apis/git/repositories/web/pullrequests?$skip=0',
      '/P/_apis/git/repositories/web/pullrequests?$skip=100',
      '/P/_apis/git/repositories/api/pullrequests?$skip=0',
    ]);
    expect(records).toHaveLength(103);
    expect(PULL_REQUESTS_SYNC.incremental).toBe(false);
  });

  it('needs configuration.project', () => {
    expect(() => PULL_REQUESTS_SYNC.request({ page: null, since: null }, { connectionId: 'c', configuration: {} })).toThrow(
      expect.objectContaining({ code: 'sync_project_missing' }),
    );
  });
});
