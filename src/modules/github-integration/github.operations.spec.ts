import { OperationSchemas } from '../../platform/integrations/operations/operation-schemas';
import type { GovernedRequest } from '../../platform/integrations/governed/governed-request';
import type { VendorAnswer, VendorOperation } from '../../platform/vendors/vendor-descriptor';
import { GitHubOpenApi } from '../../../test/support/github-peer/openapi';
import { GITHUB_OPERATIONS } from './github.operations';

/**
 * Each operation against GitHub's published OpenAPI description: the request it makes matches an
 * endpoint (path template, declared query parameters, JSON body schema), and its output, mapped from
 * GitHub's documented example answer, conforms to the operation's output schema.
 */

const SHA = 'a'.repeat(40);
const CONTEXT = { connectionId: 'conn-1', configuration: {} };

interface Case {
  input: Record<string, unknown>;
  request: Omit<Partial<GovernedRequest>, 'body'> & { body?: unknown };
  template: string;
  /** Headers of the example answer (a Link header for lists). */
  answerHeaders?: Record<string, string>;
  output?: Record<string, unknown>;
}

const LINK = '<https://api.github.com/repositories/1/items?page=3&per_page=2>; rel="next", <https://api.github.com/repositories/1/items?page=9&per_page=2>; rel="last"';

const CASES: Record<string, Case> = {
  'github.repos.list': {
    input: { perPage: 2, page: 2, sort: 'updated' },
    request: { method: 'GET', path: '/user/repos', query: { sort: 'updated', per_page: '2', page: '2' } },
    template: '/user/repos',
    answerHeaders: { link: LINK },
    output: { nextPage: 3 },
  },
  'github.repos.get': { input: { owner: 'octo-org', repo: 'hello.world' }, request: { method: 'GET', path: '/repos/octo-org/hello.world' }, template: '/repos/{owner}/{repo}' },
  'github.pulls.list': {
    input: { owner: 'octo', repo: 'hello', state: 'all', base: 'main', perPage: 50 },
    request: { method: 'GET', path: '/repos/octo/hello/pulls', query: { state: 'all', base: 'main', per_page: '50' } },
    template: '/repos/{owner}/{repo}/pulls',
  },
  'github.pulls.get': {
    input: { owner: 'octo', repo: 'hello', number: 1347 },
    request: { method: 'GET', path: '/repos/octo/hello/pulls/1347' },
    template: '/repos/{owner}/{repo}/pulls/{pull_number}',
  },
  'github.pulls.create': {
    input: { owner: 'octo', repo: 'hello', title: 'Amazing new feature', head: 'octocat:new-feature', base: 'main', body: 'Please pull', draft: true, maintainerCanModify: false },
    request: {
      method: 'POST',
      path: '/repos/octo/hello/pulls',
      body: { title: 'Amazing new feature', head: 'octocat:new-feature', base: 'main', body: 'Please pull', draft: true, maintainer_can_modify: false },
    },
    template: '/repos/{owner}/{repo}/pulls',
  },
  'github.pulls.merge': {
    input: { owner: 'octo', repo: 'hello', number: 7, mergeMethod: 'squash', commitTitle: 'Squashed', sha: SHA },
    request: { method: 'PUT', path: '/repos/octo/hello/pulls/7/merge', body: { merge_method: 'squash', commit_title: 'Squashed', sha: SHA } },
    template: '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
  },
  'github.pulls.reviews.create': {
    input: { owner: 'octo', repo: 'hello', number: 7, event: 'REQUEST_CHANGES', body: 'Needs tests', comments: [{ path: 'src/a.ts', body: 'here', line: 3, side: 'RIGHT' }] },
    request: {
      method: 'POST',
      path: '/repos/octo/hello/pulls/7/reviews',
      body: { event: 'REQUEST_CHANGES', body: 'Needs tests', comments: [{ path: 'src/a.ts', body: 'here', line: 3, side: 'RIGHT' }] },
    },
    template: '/repos/{owner}/{repo}/pulls/{pull_number}/reviews',
  },
  'github.pulls.comments.create': {
    input: { owner: 'octo', repo: 'hello', number: 7, body: 'Nit', commitId: SHA, path: 'src/a.ts', line: 10, side: 'RIGHT', startLine: 8, startSide: 'RIGHT' },
    request: {
      method: 'POST',
      path: '/repos/octo/hello/pulls/7/comments',
      body: { body: 'Nit', commit_id: SHA, path: 'src/a.ts', line: 10, side: 'RIGHT', start_line: 8, start_side: 'RIGHT' },
    },
    template: '/repos/{owner}/{repo}/pulls/{pull_number}/comments',
  },
  'github.issues.list': {
    input: { owner: 'octo', repo: 'hello', state: 'open', labels: ['bug', 'ui'], since: '2026-01-01T00:00:00Z', sort: 'updated', direction: 'asc' },
    request: { method: 'GET', path: '/repos/octo/hello/issues', query: { state: 'open', labels: 'bug,ui', since: '2026-01-01T00:00:00Z', sort: 'updated', direction: 'asc' } },
    template: '/repos/{owner}/{repo}/issues',
  },
  'github.issues.get': {
    input: { owner: 'octo', repo: 'hello', number: 3 },
    request: { method: 'GET', path: '/repos/octo/hello/issues/3' },
    template: '/repos/{owner}/{repo}/issues/{issue_number}',
  },
  'github.issues.create': {
    input: { owner: 'octo', repo: 'hello', title: 'Found a bug', body: 'Broken', labels: ['bug'], assignees: ['octocat'], milestone: 1 },
    request: { method: 'POST', path: '/repos/octo/hello/issues', body: { title: 'Found a bug', body: 'Broken', labels: ['bug'], assignees: ['octocat'], milestone: 1 } },
    template: '/repos/{owner}/{repo}/issues',
  },
  'github.issues.comments.create': {
    input: { owner: 'octo', repo: 'hello', number: 3, body: 'Me too' },
    request: { method: 'POST', path: '/repos/octo/hello/issues/3/comments', body: { body: 'Me too' } },
    template: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
  },
  'github.checks.runs.create': {
    input: {
      owner: 'octo',
      repo: 'hello',
      name: 'lint',
      headSha: SHA,
      status: 'completed',
      conclusion: 'success',
      detailsUrl: 'https://ci.example.com/1',
      output: { title: 'Lint', summary: 'All good' },
    },
    request: {
      method: 'POST',
      path: '/repos/octo/hello/check-runs',
      body: { name: 'lint', status: 'completed', conclusion: 'success', details_url: 'https://ci.example.com/1', output: { title: 'Lint', summary: 'All good' }, head_sha: SHA },
    },
    template: '/repos/{owner}/{repo}/check-runs',
  },
  'github.checks.runs.update': {
    input: { owner: 'octo', repo: 'hello', checkRunId: 4, status: 'in_progress', externalId: 'job-9' },
    request: { method: 'PATCH', path: '/repos/octo/hello/check-runs/4', body: { status: 'in_progress', external_id: 'job-9' } },
    template: '/repos/{owner}/{repo}/check-runs/{check_run_id}',
  },
  'github.statuses.create': {
    input: {
      owner: 'octo',
      repo: 'hello',
      sha: SHA,
      state: 'success',
      targetUrl: 'https://ci.example.com/build/2',
      description: 'The build succeeded!',
      context: 'continuous-integration/jenkins',
    },
    request: {
      method: 'POST',
      path: `/repos/octo/hello/statuses/${SHA}`,
      body: { state: 'success', target_url: 'https://ci.example.com/build/2', description: 'The build succeeded!', context: 'continuous-integration/jenkins' },
    },
    template: '/repos/{owner}/{repo}/statuses/{sha}',
  },
  'github.actions.workflows.dispatch': {
    input: { owner: 'octo', repo: 'hello', workflow: 'ci.yml', ref: 'main', inputs: { environment: 'staging', dryRun: true } },
    request: { method: 'POST', path: '/repos/octo/hello/actions/workflows/ci.yml/dispatches', body: { ref: 'main', inputs: { environment: 'staging', dryRun: true } } },
    template: '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
    output: { dispatched: true },
  },
  'github.actions.runs.list': {
    input: { owner: 'octo', repo: 'hello', workflow: 161335, branch: 'main', status: 'completed', perPage: 10 },
    request: { method: 'GET', path: '/repos/octo/hello/actions/workflows/161335/runs', query: { branch: 'main', status: 'completed', per_page: '10' } },
    template: '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
  },
  'github.actions.runs.get': {
    input: { owner: 'octo', repo: 'hello', runId: 30433642 },
    request: { method: 'GET', path: '/repos/octo/hello/actions/runs/30433642' },
    template: '/repos/{owner}/{repo}/actions/runs/{run_id}',
  },
  'github.contents.get': {
    input: { owner: 'octo', repo: 'hello', path: 'docs/read me.md', ref: 'release/1.0' },
    request: { method: 'GET', path: '/repos/octo/hello/contents/docs/read%20me.md', query: { ref: 'release/1.0' } },
    template: '/repos/{owner}/{repo}/contents/{path}',
  },
};

const schemas = new OperationSchemas();
const openApi = GitHubOpenApi.load();

/** The operation's request(s): `request` directly, or what `run` sends through a call answered with GitHub's example. */
async function exercise(operation: VendorOperation, testCase: Case): Promise<{ requests: GovernedRequest[]; output: unknown }> {
  const requests: GovernedRequest[] = [];
  const answerFor = (request: GovernedRequest): VendorAnswer => {
    const example = openApi.example(request.method, testCase.template);
    return { status: example.status, headers: { 'content-type': 'application/json; charset=utf-8', ...testCase.answerHeaders }, body: example.body, runId: 'run-1' };
  };
  if (operation.request) {
    const request = operation.request(testCase.input, CONTEXT);
    requests.push(request);
    const answer = answerFor(request);
    return { requests, output: operation.result ? operation.result(answer, testCase.input) : answer.body };
  }
  const output = await operation.run!(testCase.input, async (request) => (requests.push(request), answerFor(request)), CONTEXT);
  return { requests, output };
}

describe('GitHub operations', () => {
  it('has a case here for every operation, all named github.<resource>.<verb>', () => {
    expect(GITHUB_OPERATIONS.map((operation) => operation.name).sort()).toEqual(Object.keys(CASES).sort());
    for (const operation of GITHUB_OPERATIONS) expect(operation.name).toMatch(/^github\.[a-z]+(\.[a-z]+)*\.(list|get|create|update|merge|dispatch)$/);
  });

  describe.each(GITHUB_OPERATIONS.map((operation) => [operation.name, operation] as const))('%s', (name, operation) => {
    const testCase = CASES[name];

    it('has a description and JSON Schemas that compile strictly', () => {
      expect(operation.description.length).toBeGreaterThan(10);
      expect(() => schemas.compile(operation.input)).not.toThrow();
      expect(() => schemas.compile(operation.output)).not.toThrow();
      expect(operation.input).toMatchObject({ type: 'object', additionalProperties: false });
    });

    it('accepts the example input and refuses unknown fields', () => {
      expect(() => schemas.assertInput(operation, testCase.input)).not.toThrow();
      expect(() => schemas.assertInput(operation, { ...testCase.input, colour: 'red' })).toThrow("input has unknown property 'colour'");
    });

    it('sends the request GitHub documents', async () => {
      const { requests } = await exercise(operation, testCase);
      expect(requests).toHaveLength(1);
      const [request] = requests;
      const { body, ...expected } = testCase.request;
      expect({ method: request.method, path: request.path, query: request.query ?? {} }).toEqual({ query: {}, ...expected });
      if (body === undefined) expect(request.body).toBeUndefined();
      else {
        expect(JSON.parse(String(request.body))).toEqual(body);
        expect(request.headers).toEqual({ 'content-type': 'application/json' });
      }
      const query = Object.fromEntries(Object.entries(request.query ?? {}));
      expect(
        openApi.problems({
          method: request.method,
          path: request.path,
          query,
          contentType: request.headers?.['content-type'],
          body: request.body === undefined ? '' : String(request.body),
        }),
      ).toEqual([]);
      expect(openApi.match(request.method, request.path)?.template).toBe(testCase.template);
    });

    it('maps GitHub’s documented answer to output that conforms to its output schema', async () => {
      const { output } = await exercise(operation, testCase);
      const validate = schemas.compile(operation.output);
      expect(validate.errors ?? []).toEqual([]);
      const valid = validate(output);
      expect(validate.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
      if (testCase.output) expect(output).toMatchObject(testCase.output);
    });
  });

  it('refuses owner and repository names GitHub would not have, and path traversal in contents', () => {
    const get = GITHUB_OPERATIONS.find((operation) => operation.name === 'github.repos.get')!;
    expect(() => schemas.assertInput(get, { owner: 'octo/evil', repo: 'hello' })).toThrow('input/owner must match pattern');
    expect(() => schemas.assertInput(get, { owner: 'octo', repo: '..' })).toThrow('input/repo must match pattern');
    expect(() => schemas.assertInput(get, { repo: 'hello' })).toThrow("input must have required property 'owner'");
    const contents = GITHUB_OPERATIONS.find((operation) => operation.name === 'github.contents.get')!;
    for (const path of ['../secrets', 'a/../../b', '/etc/passwd', 'a//b', 'a/./b'])
      expect(() => schemas.assertInput(contents, { owner: 'o', repo: 'r', path })).toThrow('input/path must match pattern');
  });

  it('requires a conclusion for a completed check run', () => {
    const create = GITHUB_OPERATIONS.find((operation) => operation.name === 'github.checks.runs.create')!;
    expect(() => schemas.assertInput(create, { owner: 'o', repo: 'r', name: 'lint', headSha: SHA, status: 'completed' })).toThrow("input must have required property 'conclusion'");
  });

  it('maps lists to items and the next page, and pull requests to their stable shape', async () => {
    const list = GITHUB_OPERATIONS.find((operation) => operation.name === 'github.pulls.list')!;
    const example = openApi.example('GET', '/repos/{owner}/{repo}/pulls');
    const output = list.result!({ status: 200, headers: { link: LINK }, body: example.body, runId: 'r' }, {});
    expect(output).toEqual({
      nextPage: 3,
      items: [
        {
          number: 1347,
          title: 'Amazing new feature',
          state: 'open',
          url: 'https://github.com/octocat/Hello-World/pull/1347',
          head: { ref: 'new-topic', sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e', repo: 'octocat/Hello-World' },
          base: { ref: 'master', sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e', repo: 'octocat/Hello-World' },
          draft: false,
          // The list answer has no `merged`; GitHub's example carries a merged_at.
          merged: true,
          user: 'octocat',
          createdAt: '2011-01-26T19:01:12Z',
          updatedAt: '2011-01-26T19:01:12Z',
        },
      ],
    });
  });

  it('turns a 405 from merge into a conflict naming GitHub’s reason', async () => {
    const merge = GITHUB_OPERATIONS.find((operation) => operation.name === 'github.pulls.merge')!;
    const call = async () => ({ status: 405, headers: {}, body: { message: 'Pull Request is not mergeable' }, runId: 'r' });
    await expect(merge.run!({ owner: 'o', repo: 'r', number: 5 }, call, CONTEXT)).rejects.toMatchObject({
      code: 'vendor_conflict',
      message: expect.stringContaining('Pull Request is not mergeable'),
    });
  });

  it('decodes a directory listing and strips the line breaks of base64 file content', async () => {
    const contents = GITHUB_OPERATIONS.find((operation) => operation.name === 'github.contents.get')!;
    const file = contents.result!(
      { status: 200, headers: {}, body: { type: 'file', encoding: 'base64', size: 5, name: 'a.txt', path: 'a.txt', sha: 's', content: 'aGVs\nbG8=\n' }, runId: 'r' },
      { path: 'a.txt' },
    );
    expect(file).toEqual({ type: 'file', name: 'a.txt', path: 'a.txt', sha: 's', size: 5, encoding: 'base64', content: 'aGVsbG8=' });
    const dir = contents.result!(
      {
        status: 200,
        headers: {},
        body: [
          { type: 'file', name: 'a.txt', path: 'src/a.txt', sha: 's', size: 5 },
          { type: 'dir', name: 'lib', path: 'src/lib', sha: 't', size: 0 },
        ],
        runId: 'r',
      },
      { path: 'src' },
    );
    expect(dir).toEqual({
      type: 'dir',
      path: 'src',
      name: 'src',
      sha: '',
      size: 0,
      entries: [
        { type: 'file', name: 'a.txt', path: 'src/a.txt', sha: 's', size: 5 },
        { type: 'dir', name: 'lib', path: 'src/lib', sha: 't', size: 0 },
      ],
    });
    expect(schemas.compile(contents.output)(dir)).toBe(true);
  });
});
