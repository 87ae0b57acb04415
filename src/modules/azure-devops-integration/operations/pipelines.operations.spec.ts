import type { VendorAnswer } from '../../../platform/vendors/vendor-descriptor';
import { getBuild, listPipelines, runPipeline } from './pipelines.operations';

const context = { connectionId: 'conn-1', configuration: {} };
const answer = (body: unknown, headers: Record<string, string> = {}): VendorAnswer => ({ status: 200, headers, body, runId: 'run-1' });

describe('Azure DevOps pipeline and build operations', () => {
  it('pages pipelines by continuation token: the token goes out as a query parameter and comes back in x-ms-continuationtoken', () => {
    expect(listPipelines.request!({ project: 'P', top: 2 }, context)).toEqual({ method: 'GET', path: '/P/_apis/pipelines', query: { $top: '2' } });
    expect(listPipelines.request!({ project: 'P', top: 2, continuationToken: 'MTI=' }, context).query).toEqual({ $top: '2', continuationToken: 'MTI=' });

    const value = [{ id: 1, revision: 3, name: 'ci', folder: '\\', url: 'u1', _links: { web: { href: 'w1' } } }];
    expect(listPipelines.result!(answer({ count: 1, value }, { 'x-ms-continuationtoken': 'MTI=' }), { project: 'P' })).toEqual({
      items: [{ id: 1, name: 'ci', folder: '\\', revision: 3, url: 'u1', webUrl: 'w1' }],
      continuationToken: 'MTI=',
    });
    expect(listPipelines.result!(answer({ count: 1, value }), { project: 'P' }).continuationToken).toBeNull();
  });

  it('runs a pipeline on a branch with parameters and variables in the Runs API shape', () => {
    const request = runPipeline.request!({ project: 'P', pipelineId: 4, refName: 'release/1.2', templateParameters: { env: 'prod' }, variables: { verbose: 'true' } }, context);
    expect(request).toMatchObject({ method: 'POST', path: '/P/_apis/pipelines/4/runs' });
    expect(JSON.parse(String(request.body))).toEqual({
      resources: { repositories: { self: { refName: 'refs/heads/release/1.2' } } },
      templateParameters: { env: 'prod' },
      variables: { verbose: { value: 'true' } },
    });
    expect(JSON.parse(String(runPipeline.request!({ project: 'P', pipelineId: 4 }, context).body))).toEqual({});
    const output = runPipeline.result!(
      answer({ id: 31, name: '20250101.1', state: 'inProgress', pipeline: { id: 4, name: 'ci' }, createdDate: 'c', url: 'u', _links: { web: { href: 'w' } } }),
      {} as never,
    );
    expect(output).toEqual({
      id: 31,
      name: '20250101.1',
      state: 'inProgress',
      result: null,
      pipeline: { id: 4, name: 'ci' },
      createdDate: 'c',
      finishedDate: null,
      url: 'u',
      webUrl: 'w',
    });
  });

  it('gets a build', () => {
    expect(getBuild.request!({ project: 'P', buildId: 31 }, context)).toEqual({ method: 'GET', path: '/P/_apis/build/builds/31' });
    const output = getBuild.result!(
      answer({ id: 31, buildNumber: 'b', status: 'completed', result: 'succeeded', definition: { id: 4, name: 'ci' }, sourceBranch: 'refs/heads/main', url: 'u' }),
      {} as never,
    );
    expect(output).toMatchObject({
      id: 31,
      status: 'completed',
      result: 'succeeded',
      definition: { id: 4, name: 'ci' },
      sourceBranch: 'refs/heads/main',
      requestedFor: null,
      url: 'u',
    });
  });
});
