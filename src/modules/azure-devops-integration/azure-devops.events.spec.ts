import type { VerifiedWebhook } from '../../platform/webhooks/verification/webhook-verifier';
import { normaliseServiceHook } from './azure-devops.events';

/**
 * The samples of https://learn.microsoft.com/azure/devops/service-hooks/events, abridged to the fields
 * that name the resource (the rest of each payload stays the event's data, untouched).
 */
const PULL_REQUEST_CREATED = {
  id: '2ab4e3d3-b7a6-425e-92b1-5a9982c1269e',
  eventType: 'git.pullrequest.created',
  publisherId: 'tfs',
  resource: {
    repository: {
      id: '4bc14d40-c903-45e2-872e-0462c7748079',
      name: 'Fabrikam',
      url: 'https://fabrikam.visualstudio.com/DefaultCollection/_apis/git/repositories/4bc14d40-c903-45e2-872e-0462c7748079',
      project: {
        id: '6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c',
        name: 'Fabrikam',
        url: 'https://fabrikam.visualstudio.com/DefaultCollection/_apis/projects/6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c',
        state: 'wellFormed',
      },
      defaultBranch: 'refs/heads/master',
      remoteUrl: 'https://fabrikam.visualstudio.com/DefaultCollection/_git/Fabrikam',
    },
    pullRequestId: 1,
    status: 'active',
    creationDate: '2014-06-17T16:55:46.589889Z',
    title: 'my first pull request',
    sourceRefName: 'refs/heads/mytopic',
    targetRefName: 'refs/heads/master',
    url: 'https://fabrikam.visualstudio.com/DefaultCollection/_apis/git/repositories/4bc14d40-c903-45e2-872e-0462c7748079/pullRequests/1',
  },
  resourceVersion: '1.0',
  resourceContainers: {
    collection: { id: 'c12d0eb8-e382-443b-9f9c-c52cba5014c2' },
    account: { id: 'f844ec47-a9db-4511-8281-8b63f4eaf94e' },
    project: { id: 'be9b3917-87e6-42a4-a549-2bc06a7a878f' },
  },
  createdDate: '2016-09-19T13:03:27.2879096Z',
};

const WORK_ITEM_UPDATED = {
  id: '27646e0e-b520-4d2b-9411-bba7524947cd',
  eventType: 'workitem.updated',
  publisherId: 'tfs',
  resource: {
    id: 2,
    workItemId: 0,
    rev: 2,
    fields: { 'System.Rev': { oldValue: '1', newValue: '2' }, 'System.State': { oldValue: 'New', newValue: 'Approved' } },
    url: 'http://fabrikam-fiber-inc.visualstudio.com/DefaultCollection/_apis/wit/workItems/5/updates/2',
    revision: {
      id: 5,
      rev: 2,
      fields: {
        'System.AreaPath': 'FabrikamCloud',
        'System.TeamProject': 'FabrikamCloud',
        'System.WorkItemType': 'Product Backlog Item',
        'System.State': 'Approved',
        'System.Title': 'Some great new idea!',
      },
      url: 'http://fabrikam-fiber-inc.visualstudio.com/DefaultCollection/_apis/wit/workItems/5/revisions/2',
    },
  },
  resourceVersion: '1.0',
  resourceContainers: {
    collection: { id: 'c12d0eb8-e382-443b-9f9c-c52cba5014c2' },
    account: { id: 'f844ec47-a9db-4511-8281-8b63f4eaf94e' },
    project: { id: 'be9b3917-87e6-42a4-a549-2bc06a7a878f' },
  },
  createdDate: '2016-09-19T13:03:30.1359308Z',
};

const BUILD_COMPLETE = {
  id: '4a5d99d6-1c75-4e53-91b9-ee80057d4ce3',
  eventType: 'build.complete',
  publisherId: 'tfs',
  resource: {
    uri: 'vstfs:///Build/Build/2',
    id: 2,
    buildNumber: 'ConsumerAddressModule_20150407.1',
    url: 'https://fabrikam-fiber-inc.visualstudio.com/DefaultCollection/71777fbc-1cf2-4bd1-9540-128c1c71f766/_apis/build/Builds/2',
    status: 'succeeded',
    definition: { id: 2, name: 'ConsumerAddressModule' },
  },
  resourceVersion: '1.0',
  resourceContainers: {
    collection: { id: 'c12d0eb8-e382-443b-9f9c-c52cba5014c2' },
    account: { id: 'f844ec47-a9db-4511-8281-8b63f4eaf94e' },
    project: { id: 'be9b3917-87e6-42a4-a549-2bc06a7a878f' },
  },
  createdDate: '2016-09-19T13:03:27.0379153Z',
};

const verified = (payload: { id: string; eventType: string }): VerifiedWebhook => ({ deliveryId: payload.id, eventType: payload.eventType, payload });

describe('Azure DevOps service-hook normaliser', () => {
  it('names a created pull request by project, repository and id', () => {
    expect(normaliseServiceHook(verified(PULL_REQUEST_CREATED))).toEqual({
      type: 'com.azure-devops.git.pullrequest.created',
      subject: 'projects/Fabrikam/repos/Fabrikam/pullrequests/1',
    });
  });

  it('names the work item an update is about, not the update', () => {
    expect(normaliseServiceHook(verified(WORK_ITEM_UPDATED))).toEqual({ type: 'com.azure-devops.workitem.updated', subject: 'workitems/5' });
    const withWorkItemId = { ...WORK_ITEM_UPDATED, resource: { ...WORK_ITEM_UPDATED.resource, workItemId: 5 } };
    expect(normaliseServiceHook(verified(withWorkItemId)).subject).toBe('workitems/5');
  });

  it('names a created work item by its own id', () => {
    expect(normaliseServiceHook(verified({ id: 'n1', eventType: 'workitem.created', resource: { id: 17, rev: 1 } } as never)).subject).toBe('workitems/17');
  });

  it('names a completed build', () => {
    expect(normaliseServiceHook(verified(BUILD_COMPLETE))).toEqual({ type: 'com.azure-devops.build.complete', subject: 'builds/2' });
  });

  it('names a push by its repository, and a pipeline run by pipeline and run', () => {
    const push = { id: 'p1', eventType: 'git.push', resource: { repository: PULL_REQUEST_CREATED.resource.repository, pushId: 14 } };
    expect(normaliseServiceHook(verified(push)).subject).toBe('projects/Fabrikam/repos/Fabrikam');
    const run = { id: 'r1', eventType: 'ms.vss-pipelines.run-state-changed-event', resource: { run: { id: 9, pipeline: { id: 4 } }, pipeline: { id: 4 } } };
    expect(normaliseServiceHook(verified(run))).toEqual({ type: 'com.azure-devops.ms.vss-pipelines.run-state-changed-event', subject: 'pipelines/4/runs/9' });
  });

  it('falls back to the project id of resourceContainers, and keeps names from adding segments', () => {
    const repository = { id: 'r-id', name: 'web/app', project: {} };
    const event = { ...PULL_REQUEST_CREATED, resource: { ...PULL_REQUEST_CREATED.resource, repository } };
    expect(normaliseServiceHook(verified(event)).subject).toBe('projects/be9b3917-87e6-42a4-a549-2bc06a7a878f/repos/web%2Fapp/pullrequests/1');
  });

  it('gives an event it cannot place no subject', () => {
    expect(normaliseServiceHook(verified({ id: 'x', eventType: 'ms.vss-release.deployment-completed-event' }))).toEqual({
      type: 'com.azure-devops.ms.vss-release.deployment-completed-event',
    });
    expect(normaliseServiceHook(verified({ id: 'x', eventType: 'git.pullrequest.merged', resource: 'not an object' } as never))).toEqual({
      type: 'com.azure-devops.git.pullrequest.merged',
    });
  });
});
