import type { VendorAnswer } from '../../../platform/vendors/vendor-descriptor';
import { createPullRequest, createPullRequestThread, getPullRequest, listPullRequests, listRepositories, toPullRequest } from './git.operations';

const context = { connectionId: 'conn-1', configuration: {} };
const answer = (body: unknown, headers: Record<string, string> = {}, status = 200): VendorAnswer => ({ status, headers, body, runId: 'run-1' });

const PULL_REQUEST = {
  repository: { id: 'r-1', name: 'web', webUrl: 'https://dev.azure.com/fabrikam/Fabrikam%20Fiber/_git/web', project: { id: 'p-1', name: 'Fabrikam Fiber' } },
  pullRequestId: 22,
  status: 'active',
  createdBy: { id: 'u-1', displayName: 'Ada', uniqueName: 'ada@fabrikam.example', imageUrl: 'https://x' },
  creationDate: '2025-01-02T03:04:05Z',
  title: 'Add a thing',
  description: 'Because',
  sourceRefName: 'refs/heads/thing',
  targetRefName: 'refs/heads/main',
  mergeStatus: 'succeeded',
  isDraft: false,
  url: 'https://dev.azure.com/fabrikam/p-1/_apis/git/repositories/r-1/pullRequests/22',
};

describe('Azure DevOps git operations', () => {
  it('lists repositories of a project whose name needs encoding', () => {
    expect(listRepositories.request!({ project: 'Fabrikam Fiber' }, context)).toEqual({ method: 'GET', path: '/Fabrikam%20Fiber/_apis/git/repositories' });
    const output = listRepositories.result!(
      answer({ count: 1, value: [{ id: 'r-1', name: 'web', url: 'u', project: { id: 'p-1', name: 'Fabrikam Fiber' }, defaultBranch: 'refs/heads/main', size: 10 }] }),
      { project: 'x' },
    );
    expect(output).toEqual({
      items: [
        { id: 'r-1', name: 'web', defaultBranch: 'refs/heads/main', url: 'u', webUrl: null, remoteUrl: null, project: { id: 'p-1', name: 'Fabrikam Fiber' }, isDisabled: false },
      ],
      continuationToken: null,
    });
  });

  it('keeps a hostile repository id inside its own path segment', () => {
    const request = getPullRequest.request!({ project: 'P', repositoryId: '../../_apis/projects?x=', pullRequestId: 3 }, context);
    expect(request.path).toBe('/P/_apis/git/repositories/..%2F..%2F_apis%2Fprojects%3Fx%3D/pullrequests/3');
  });

  it('lists pull requests by $top/$skip, turning the next $skip into the continuation token', () => {
    const first = listPullRequests.request!({ project: 'P', repositoryId: 'web', status: 'all', targetRefName: 'main', top: 2 }, context);
    expect(first).toEqual({
      method: 'GET',
      path: '/P/_apis/git/repositories/web/pullrequests',
      query: { $top: '2', 'searchCriteria.status': 'all', 'searchCriteria.targetRefName': 'refs/heads/main' },
    });
    const full = listPullRequests.result!(answer({ count: 2, value: [PULL_REQUEST, { ...PULL_REQUEST, pullRequestId: 21 }] }), { project: 'P', repositoryId: 'web', top: 2 });
    expect(full.items.map((item) => item.id)).toEqual([22, 21]);
    expect(full.continuationToken).toBe('2');

    const second = listPullRequests.request!({ project: 'P', repositoryId: 'web', top: 2, continuationToken: '2' }, context);
    expect(second.query).toEqual({ $top: '2', $skip: '2' });
    const last = listPullRequests.result!(answer({ count: 1, value: [{ ...PULL_REQUEST, pullRequestId: 20 }] }), {
      project: 'P',
      repositoryId: 'web',
      top: 2,
      continuationToken: '2',
    });
    expect(last.continuationToken).toBeNull();
  });

  it('maps a pull request to its stable shape', () => {
    expect(toPullRequest(PULL_REQUEST)).toEqual({
      id: 22,
      title: 'Add a thing',
      description: 'Because',
      status: 'active',
      isDraft: false,
      sourceRefName: 'refs/heads/thing',
      targetRefName: 'refs/heads/main',
      mergeStatus: 'succeeded',
      createdBy: { id: 'u-1', displayName: 'Ada', uniqueName: 'ada@fabrikam.example' },
      creationDate: '2025-01-02T03:04:05Z',
      closedDate: null,
      repository: { id: 'r-1', name: 'web' },
      url: PULL_REQUEST.url,
      webUrl: 'https://dev.azure.com/fabrikam/Fabrikam%20Fiber/_git/web/pullrequest/22',
    });
  });

  it('creates a pull request from branch names, as full refs', () => {
    const request = createPullRequest.request!(
      { project: 'P', repositoryId: 'web', sourceRefName: 'thing', targetRefName: 'refs/heads/main', title: 'T', reviewerIds: ['u-2'] },
      context,
    );
    expect(request).toMatchObject({ method: 'POST', path: '/P/_apis/git/repositories/web/pullrequests', headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(String(request.body))).toEqual({ sourceRefName: 'refs/heads/thing', targetRefName: 'refs/heads/main', title: 'T', reviewers: [{ id: 'u-2' }] });
    expect(createPullRequest.effect).toBe('write');
  });

  it('comments on a pull request as a new active thread', () => {
    const request = createPullRequestThread.request!({ project: 'P', repositoryId: 'web', pullRequestId: 22, content: 'Looks good' }, context);
    expect(request.path).toBe('/P/_apis/git/repositories/web/pullRequests/22/threads');
    expect(JSON.parse(String(request.body))).toEqual({ comments: [{ parentCommentId: 0, content: 'Looks good', commentType: 'text' }], status: 'active' });
    const output = createPullRequestThread.result!(
      answer({ id: 7, status: 'active', publishedDate: 'd', comments: [{ id: 1, content: 'Looks good', author: { id: 'u-1', displayName: 'Ada' } }] }),
      {} as never,
    );
    expect(output).toEqual({
      id: 7,
      status: 'active',
      publishedDate: 'd',
      comments: [{ id: 1, content: 'Looks good', author: { id: 'u-1', displayName: 'Ada', uniqueName: null } }],
    });
  });

  it('refuses an answer that is not the JSON object asked for (Poison)', () => {
    expect(() => listRepositories.result!(answer({ unexpected: true }), { project: 'P' })).toThrow(expect.objectContaining({ category: 'Poison' }));
    expect(() => listRepositories.result!(answer('<html></html>', { 'content-type': 'text/html' }, 200), { project: 'P' })).toThrow(
      expect.objectContaining({ category: 'Poison', code: 'azure_devops_unexpected_body' }),
    );
  });
});
