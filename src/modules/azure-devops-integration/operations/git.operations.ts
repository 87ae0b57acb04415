import type { JsonSchema, VendorAnswer, VendorOperation } from '../../../platform/vendors/vendor-descriptor';
import {
  CONTINUATION_TOKEN,
  continuationPage,
  IDENTITY,
  identity,
  inputSchema,
  integer,
  isRecord,
  jsonBody,
  ListPage,
  listValue,
  NULLABLE_STRING,
  pageSchema,
  POSITIVE_ID,
  PROJECT,
  projectApi,
  record,
  REPOSITORY_ID,
  text,
  TOP,
  webLink,
} from './azure-devops-api';

/** Azure DevOps Git: repositories, pull requests and their comment threads (REST 7.1, `git` area). */

export interface Repository {
  id: string | null;
  name: string | null;
  defaultBranch: string | null;
  url: string | null;
  webUrl: string | null;
  remoteUrl: string | null;
  project: { id: string | null; name: string | null };
  isDisabled: boolean;
}

export interface PullRequest {
  id: number | null;
  title: string | null;
  description: string | null;
  status: string | null;
  isDraft: boolean;
  sourceRefName: string | null;
  targetRefName: string | null;
  mergeStatus: string | null;
  createdBy: ReturnType<typeof identity>;
  creationDate: string | null;
  closedDate: string | null;
  repository: { id: string | null; name: string | null };
  url: string | null;
  webUrl: string | null;
}

const PULL_REQUEST_STATUSES = ['active', 'abandoned', 'completed', 'all'] as const;
const DEFAULT_PULL_REQUEST_PAGE = 100;
const REF_NAME: JsonSchema = { type: 'string', minLength: 1, maxLength: 400, description: 'A branch (`main`) or full ref name (`refs/heads/main`)' };

const REPOSITORY: JsonSchema = {
  type: 'object',
  properties: {
    id: NULLABLE_STRING,
    name: NULLABLE_STRING,
    defaultBranch: NULLABLE_STRING,
    url: NULLABLE_STRING,
    webUrl: NULLABLE_STRING,
    remoteUrl: NULLABLE_STRING,
    project: { type: 'object', properties: { id: NULLABLE_STRING, name: NULLABLE_STRING } },
    isDisabled: { type: 'boolean' },
  },
  required: ['id', 'name', 'url'],
};

const PULL_REQUEST: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: ['integer', 'null'] },
    title: NULLABLE_STRING,
    description: NULLABLE_STRING,
    status: NULLABLE_STRING,
    isDraft: { type: 'boolean' },
    sourceRefName: NULLABLE_STRING,
    targetRefName: NULLABLE_STRING,
    mergeStatus: NULLABLE_STRING,
    createdBy: IDENTITY,
    creationDate: NULLABLE_STRING,
    closedDate: NULLABLE_STRING,
    repository: { type: 'object', properties: { id: NULLABLE_STRING, name: NULLABLE_STRING } },
    url: NULLABLE_STRING,
    webUrl: NULLABLE_STRING,
  },
  required: ['id', 'title', 'status', 'url'],
};

export function toRepository(item: Record<string, unknown>): Repository {
  const project = record(item.project);
  return {
    id: text(item.id),
    name: text(item.name),
    defaultBranch: text(item.defaultBranch),
    url: text(item.url),
    webUrl: text(item.webUrl),
    remoteUrl: text(item.remoteUrl),
    project: { id: text(project.id), name: text(project.name) },
    isDisabled: item.isDisabled === true,
  };
}

export function toPullRequest(item: Record<string, unknown>): PullRequest {
  const repository = record(item.repository);
  const id = integer(item.pullRequestId);
  const repositoryWebUrl = text(repository.webUrl);
  return {
    id,
    title: text(item.title),
    description: text(item.description),
    status: text(item.status),
    isDraft: item.isDraft === true,
    sourceRefName: text(item.sourceRefName),
    targetRefName: text(item.targetRefName),
    mergeStatus: text(item.mergeStatus),
    createdBy: identity(item.createdBy),
    creationDate: text(item.creationDate),
    closedDate: text(item.closedDate),
    repository: { id: text(repository.id), name: text(repository.name) },
    url: text(item.url),
    webUrl: webLink(item) ?? (repositoryWebUrl && id !== null ? `${repositoryWebUrl}/pullrequest/${id}` : null),
  };
}

/** `main` → `refs/heads/main`; a full ref name stays as it is. */
export function fullRefName(ref: string): string {
  return ref.startsWith('refs/') ? ref : `refs/heads/${ref}`;
}

const jsonRequest = (method: string, path: string, body: unknown, query?: Record<string, string>) => ({
  method,
  path,
  ...(query ? { query } : {}),
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** Azure DevOps answers a project's repositories in one list: the page shape is every list's, its token null. */
export const listRepositories: VendorOperation<{ project: string; includeHidden?: boolean }, ListPage<Repository>> = {
  name: 'azure-devops.git.repositories.list',
  description: 'Lists the Git repositories of a project',
  effect: 'read',
  input: inputSchema({ project: PROJECT, includeHidden: { type: 'boolean' } }, ['project']),
  output: pageSchema(REPOSITORY),
  request: (input) => ({ method: 'GET', path: projectApi(input.project, 'git', 'repositories'), ...(input.includeHidden ? { query: { includeHidden: 'true' } } : {}) }),
  result: (answer) => continuationPage(answer, toRepository),
};

export interface ListPullRequestsInput {
  project: string;
  repositoryId: string;
  status?: (typeof PULL_REQUEST_STATUSES)[number];
  sourceRefName?: string;
  targetRefName?: string;
  creatorId?: string;
  top?: number;
  continuationToken?: string;
}

/**
 * Pull request lists page by `$top`/`$skip`, not by continuation token: the operation keeps the same
 * `{items, continuationToken}` contract as every other list, the token being the next `$skip`.
 */
export const listPullRequests: VendorOperation<ListPullRequestsInput, ListPage<PullRequest>> = {
  name: 'azure-devops.git.pullrequests.list',
  description: 'Lists the pull requests of a repository (active ones unless status says otherwise), newest first',
  effect: 'read',
  input: inputSchema(
    {
      project: PROJECT,
      repositoryId: REPOSITORY_ID,
      status: { enum: [...PULL_REQUEST_STATUSES] },
      sourceRefName: REF_NAME,
      targetRefName: REF_NAME,
      creatorId: { type: 'string', minLength: 1, maxLength: 64 },
      top: TOP,
      continuationToken: { ...CONTINUATION_TOKEN, pattern: '^[0-9]{1,9}$' },
    },
    ['project', 'repositoryId'],
  ),
  output: pageSchema(PULL_REQUEST),
  request: (input) => {
    const query: Record<string, string> = { $top: String(input.top ?? DEFAULT_PULL_REQUEST_PAGE) };
    if (input.continuationToken) query.$skip = input.continuationToken;
    if (input.status) query['searchCriteria.status'] = input.status;
    if (input.sourceRefName) query['searchCriteria.sourceRefName'] = fullRefName(input.sourceRefName);
    if (input.targetRefName) query['searchCriteria.targetRefName'] = fullRefName(input.targetRefName);
    if (input.creatorId) query['searchCriteria.creatorId'] = input.creatorId;
    return { method: 'GET', path: projectApi(input.project, 'git', 'repositories', input.repositoryId, 'pullrequests'), query };
  },
  result: (answer, input) => skipPage(answer, input.continuationToken, input.top ?? DEFAULT_PULL_REQUEST_PAGE, toPullRequest),
};

/** A `$top`/`$skip` page: a full page may have a successor, a short one is the last. */
export function skipPage<Item>(answer: VendorAnswer, skip: string | undefined, top: number, map: (item: Record<string, unknown>) => Item): ListPage<Item> {
  const items = listValue(answer).map(map);
  return { items, continuationToken: items.length < top ? null : String(Number(skip ?? 0) + items.length) };
}

export const getPullRequest: VendorOperation<{ project: string; repositoryId: string; pullRequestId: number }, PullRequest> = {
  name: 'azure-devops.git.pullrequests.get',
  description: 'Gets one pull request',
  effect: 'read',
  input: inputSchema({ project: PROJECT, repositoryId: REPOSITORY_ID, pullRequestId: POSITIVE_ID }, ['project', 'repositoryId', 'pullRequestId']),
  output: PULL_REQUEST,
  request: (input) => ({ method: 'GET', path: projectApi(input.project, 'git', 'repositories', input.repositoryId, 'pullrequests', input.pullRequestId) }),
  result: (answer) => toPullRequest(jsonBody(answer)),
};

export interface CreatePullRequestInput {
  project: string;
  repositoryId: string;
  sourceRefName: string;
  targetRefName: string;
  title: string;
  description?: string;
  isDraft?: boolean;
  reviewerIds?: string[];
}

export const createPullRequest: VendorOperation<CreatePullRequestInput, PullRequest> = {
  name: 'azure-devops.git.pullrequests.create',
  description: 'Opens a pull request from sourceRefName into targetRefName',
  effect: 'write',
  input: inputSchema(
    {
      project: PROJECT,
      repositoryId: REPOSITORY_ID,
      sourceRefName: REF_NAME,
      targetRefName: REF_NAME,
      title: { type: 'string', minLength: 1, maxLength: 400 },
      description: { type: 'string', maxLength: 4000 },
      isDraft: { type: 'boolean' },
      reviewerIds: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 64 } },
    },
    ['project', 'repositoryId', 'sourceRefName', 'targetRefName', 'title'],
  ),
  output: PULL_REQUEST,
  request: (input) =>
    jsonRequest('POST', projectApi(input.project, 'git', 'repositories', input.repositoryId, 'pullrequests'), {
      sourceRefName: fullRefName(input.sourceRefName),
      targetRefName: fullRefName(input.targetRefName),
      title: input.title,
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.isDraft !== undefined ? { isDraft: input.isDraft } : {}),
      ...(input.reviewerIds ? { reviewers: input.reviewerIds.map((id) => ({ id })) } : {}),
    }),
  result: (answer) => toPullRequest(jsonBody(answer)),
};

export interface CommentThread {
  id: number | null;
  status: string | null;
  comments: Array<{ id: number | null; content: string | null; author: ReturnType<typeof identity> }>;
  publishedDate: string | null;
}

const THREAD_STATUSES = ['active', 'fixed', 'wontFix', 'closed', 'byDesign', 'pending'] as const;

export const createPullRequestThread: VendorOperation<{ project: string; repositoryId: string; pullRequestId: number; content: string; status?: string }, CommentThread> = {
  name: 'azure-devops.git.pullrequests.comment',
  description: 'Comments on a pull request: a new comment thread holding one text comment',
  effect: 'write',
  input: inputSchema(
    {
      project: PROJECT,
      repositoryId: REPOSITORY_ID,
      pullRequestId: POSITIVE_ID,
      content: { type: 'string', minLength: 1, maxLength: 150000 },
      status: { enum: [...THREAD_STATUSES] },
    },
    ['project', 'repositoryId', 'pullRequestId', 'content'],
  ),
  output: {
    type: 'object',
    properties: {
      id: { type: ['integer', 'null'] },
      status: NULLABLE_STRING,
      comments: { type: 'array', items: { type: 'object', properties: { id: { type: ['integer', 'null'] }, content: NULLABLE_STRING, author: IDENTITY } } },
      publishedDate: NULLABLE_STRING,
    },
    required: ['id', 'status', 'comments'],
  },
  request: (input) =>
    jsonRequest('POST', projectApi(input.project, 'git', 'repositories', input.repositoryId, 'pullRequests', input.pullRequestId, 'threads'), {
      comments: [{ parentCommentId: 0, content: input.content, commentType: 'text' }],
      status: input.status ?? 'active',
    }),
  result: (answer) => {
    const thread = jsonBody(answer);
    const comments = Array.isArray(thread.comments) ? thread.comments.filter(isRecord) : [];
    return {
      id: integer(thread.id),
      status: text(thread.status),
      comments: comments.map((comment) => ({ id: integer(comment.id), content: text(comment.content), author: identity(comment.author) })),
      publishedDate: text(thread.publishedDate),
    };
  },
};

export const GIT_OPERATIONS: readonly VendorOperation[] = [listRepositories, listPullRequests, getPullRequest, createPullRequest, createPullRequestThread];
