import { OperationSchemas } from '../../../platform/integrations/operations/operation-schemas';
import type { GovernedRequest } from '../../../platform/integrations/governed/governed-request';
import type { VendorAnswer, VendorOperation } from '../../../platform/vendors/vendor-descriptor';
import { AZURE_DEVOPS } from '../azure-devops.descriptor';

/**
 * Every operation's output, mapped from an answer shaped like Azure DevOps' documented samples
 * (https://learn.microsoft.com/rest/api/azure/devops, 7.1, abridged), conforms to its declared output
 * schema: what `GET /azure-devops/operations` publishes is what callers get.
 */

const identity = { id: 'd6245f20-2af8-44f4-9451-8107cb2767db', displayName: 'Normal Paulk', uniqueName: 'fabrikamfiber16@hotmail.com', descriptor: 'aad.x' };
const repository = {
  id: '5febef5a-833d-4e14-b9c0-14cb638f91e6',
  name: 'AnotherRepository',
  url: 'https://dev.azure.com/fabrikam/_apis/git/repositories/5febef5a-833d-4e14-b9c0-14cb638f91e6',
  project: { id: '6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c', name: 'Fabrikam-Fiber-Git', state: 'wellFormed' },
  remoteUrl: 'https://dev.azure.com/fabrikam/Fabrikam-Fiber-Git/_git/AnotherRepository',
};
const pullRequest = {
  repository,
  pullRequestId: 22,
  codeReviewId: 22,
  status: 'active',
  createdBy: identity,
  creationDate: '2016-11-01T16:30:31.6655471Z',
  title: 'A new feature',
  description: 'Adding a new feature',
  sourceRefName: 'refs/heads/npaulk/my_work',
  targetRefName: 'refs/heads/new_feature',
  mergeStatus: 'succeeded',
  url: 'https://dev.azure.com/fabrikam/_apis/git/repositories/3411ebc1-d5aa-464f-9615-0b527bc66719/pullRequests/22',
};
const workItem = {
  id: 131489,
  rev: 1,
  fields: {
    'System.AreaPath': 'CustomProcessPrj',
    'System.WorkItemType': 'Task',
    'System.State': 'New',
    'System.Title': 'Sample task',
    'System.CreatedDate': '2017-10-06T01:04:51.57Z',
    'System.ChangedDate': '2017-10-06T01:04:51.57Z',
  },
  _links: { html: { href: 'https://dev.azure.com/fabrikam/web/wi.aspx?pcguid=x&id=131489' } },
  url: 'https://dev.azure.com/fabrikam/_apis/wit/workItems/131489',
};
const pipeline = {
  id: 1,
  revision: 1,
  name: 'Sample pipeline',
  folder: '\\',
  url: 'https://dev.azure.com/fabrikam/x/_apis/pipelines/1?revision=1',
  _links: { web: { href: 'https://dev.azure.com/fabrikam/x/_build/definition?definitionId=1' } },
};

const ANSWERS: Record<string, (request: GovernedRequest) => unknown> = {
  'azure-devops.git.repositories.list': () => ({ count: 1, value: [repository] }),
  'azure-devops.git.pullrequests.list': () => ({ count: 1, value: [pullRequest] }),
  'azure-devops.git.pullrequests.get': () => pullRequest,
  'azure-devops.git.pullrequests.create': () => pullRequest,
  'azure-devops.git.pullrequests.comment': () => ({
    id: 148,
    publishedDate: '2016-11-01T16:30:50.083Z',
    status: 'active',
    comments: [{ id: 1, parentCommentId: 0, author: identity, content: 'Should we add a comment about what this value means?', commentType: 'text' }],
  }),
  'azure-devops.pipelines.list': () => ({ count: 1, value: [pipeline] }),
  'azure-devops.pipelines.run': () => ({
    id: 12,
    name: '20200105.1',
    state: 'inProgress',
    createdDate: '2020-01-05T23:32:03.7333333Z',
    pipeline: { id: 1, name: 'Sample pipeline', revision: 1 },
    url: 'https://dev.azure.com/fabrikam/x/_apis/pipelines/1/runs/12',
    _links: pipeline._links,
  }),
  'azure-devops.builds.get': () => ({
    id: 12,
    buildNumber: '20200105.1',
    status: 'completed',
    result: 'succeeded',
    definition: { id: 1, name: 'Sample pipeline' },
    sourceBranch: 'refs/heads/main',
    sourceVersion: 'a1b2',
    requestedFor: identity,
    queueTime: 't',
    startTime: 't',
    finishTime: 't',
    url: 'u',
  }),
  'azure-devops.workitems.get': () => workItem,
  'azure-devops.workitems.create': () => workItem,
  'azure-devops.workitems.update': () => ({ ...workItem, rev: 2 }),
  'azure-devops.workitems.query': (request) =>
    request.path.endsWith('/wiql')
      ? { queryType: 'flat', queryResultType: 'workItem', asOf: 'x', workItems: [{ id: 131489, url: workItem.url }] }
      : { count: 1, value: [workItem] },
};

const INPUTS: Record<string, unknown> = {
  'azure-devops.git.repositories.list': { project: 'P' },
  'azure-devops.git.pullrequests.list': { project: 'P', repositoryId: 'r' },
  'azure-devops.git.pullrequests.get': { project: 'P', repositoryId: 'r', pullRequestId: 22 },
  'azure-devops.git.pullrequests.create': { project: 'P', repositoryId: 'r', sourceRefName: 'a', targetRefName: 'b', title: 't' },
  'azure-devops.git.pullrequests.comment': { project: 'P', repositoryId: 'r', pullRequestId: 22, content: 'c' },
  'azure-devops.pipelines.list': { project: 'P' },
  'azure-devops.pipelines.run': { project: 'P', pipelineId: 1 },
  'azure-devops.builds.get': { project: 'P', buildId: 12 },
  'azure-devops.workitems.get': { project: 'P', id: 131489 },
  'azure-devops.workitems.create': { project: 'P', type: 'Task', operations: [{ op: 'add', path: '/fields/System.Title', value: 'Sample task' }] },
  'azure-devops.workitems.update': { project: 'P', id: 131489, operations: [{ op: 'replace', path: '/fields/System.State', value: 'Active' }] },
  'azure-devops.workitems.query': { project: 'P', query: 'SELECT [System.Id] FROM WorkItems', includeItems: true },
};

const schemas = new OperationSchemas();
const answer = (body: unknown): VendorAnswer => ({ status: 200, headers: { 'content-type': 'application/json' }, body, runId: 'run-1' });

async function outputOf(operation: VendorOperation, input: unknown): Promise<unknown> {
  const respond = ANSWERS[operation.name];
  const context = { connectionId: 'conn-1', configuration: {} };
  if (operation.request) {
    const reply = answer(respond(operation.request(input, context)));
    return operation.result ? operation.result(reply, input) : reply.body;
  }
  return operation.run!(input, async (request) => answer(respond(request)), context);
}

describe('Azure DevOps operation outputs', () => {
  it('has a sample for every operation', () => {
    expect(Object.keys(ANSWERS).sort()).toEqual(AZURE_DEVOPS.operations!.map((operation) => operation.name).sort());
  });

  it.each(AZURE_DEVOPS.operations!.map((operation) => [operation.name, operation]))(
    '%s: its sample input passes and its output conforms to the output schema',
    async (name, operation) => {
      expect(() => schemas.assertInput(operation, INPUTS[name])).not.toThrow();
      const validate = schemas.compile(operation.output);
      const output = await outputOf(operation, INPUTS[name]);
      expect(validate(output) ? [] : validate.errors).toEqual([]);
    },
  );
});
