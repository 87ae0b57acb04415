import type { VendorOperation } from '../../../platform/vendors/vendor-descriptor';
import {
  bodyOf,
  DATE_TIME,
  GitHubJson,
  ID,
  jsonBody,
  listOf,
  login,
  nextPageOf,
  NULLABLE_STRING,
  NUMBER,
  objectSchema,
  OWNER,
  PAGING,
  pageQuery,
  pageSchema,
  query,
  repoInput,
  repoPath,
  stringOrNull,
  TEXT,
  USER_LOGIN,
  WEB_URL,
} from './shared';

type Repo = { owner: string; repo: string };

export const ISSUE_OUTPUT = objectSchema({
  number: { type: 'integer' },
  title: { type: 'string' },
  state: { type: 'string', enum: ['open', 'closed'] },
  url: WEB_URL,
  body: NULLABLE_STRING,
  labels: { type: 'array', items: { type: 'string' } },
  assignees: { type: 'array', items: { type: 'string' } },
  user: USER_LOGIN,
  isPullRequest: { type: 'boolean', description: 'GitHub lists pull requests among issues; true for those' },
  createdAt: { type: 'string' },
  updatedAt: { type: 'string' },
});

export function toIssue(issue: GitHubJson) {
  return {
    number: issue.number,
    title: issue.title,
    state: issue.state,
    url: issue.html_url,
    body: stringOrNull(issue.body),
    // Labels come as objects, or as bare names in older payloads.
    labels: (Array.isArray(issue.labels) ? issue.labels : [])
      .map((label: unknown) => (typeof label === 'string' ? label : stringOrNull((label as GitHubJson)?.name)))
      .filter((name: string | null): name is string => name !== null),
    assignees: (Array.isArray(issue.assignees) ? issue.assignees : []).map(login).filter((name: string | null): name is string => name !== null),
    user: login(issue.user),
    isPullRequest: issue.pull_request !== undefined && issue.pull_request !== null,
    createdAt: issue.created_at,
    updatedAt: issue.updated_at,
  };
}

interface ListIssuesInput extends Repo {
  state?: 'open' | 'closed' | 'all';
  labels?: string[];
  assignee?: string;
  since?: string;
  sort?: string;
  direction?: string;
  perPage?: number;
  page?: number;
}

export const LIST_ISSUES: VendorOperation<ListIssuesInput> = {
  name: 'github.issues.list',
  description: 'Lists a repository’s issues (GitHub includes pull requests: see isPullRequest)',
  effect: 'read',
  input: repoInput({
    state: { type: 'string', enum: ['open', 'closed', 'all'] },
    labels: { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[^,]+$' } },
    assignee: { anyOf: [OWNER, { type: 'string', enum: ['none', '*'] }] },
    since: { ...DATE_TIME, description: 'Only issues updated at or after this time' },
    sort: { type: 'string', enum: ['created', 'updated', 'comments'] },
    direction: { type: 'string', enum: ['asc', 'desc'] },
    ...PAGING,
  }),
  output: pageSchema(ISSUE_OUTPUT),
  request: (input) => ({
    method: 'GET',
    path: repoPath(input, 'issues'),
    query: {
      ...query({ state: input.state, labels: input.labels?.join(','), assignee: input.assignee, since: input.since, sort: input.sort, direction: input.direction }),
      ...pageQuery(input),
    },
  }),
  result: (answer) => ({ items: listOf(answer).map(toIssue), nextPage: nextPageOf(answer) }),
};

export const GET_ISSUE: VendorOperation<Repo & { number: number }> = {
  name: 'github.issues.get',
  description: 'Gets an issue',
  effect: 'read',
  input: repoInput({ number: NUMBER }, ['number']),
  output: ISSUE_OUTPUT,
  request: (input) => ({ method: 'GET', path: repoPath(input, 'issues', input.number) }),
  result: (answer) => toIssue(bodyOf(answer)),
};

interface CreateIssueInput extends Repo {
  title: string;
  body?: string;
  labels?: string[];
  assignees?: string[];
  milestone?: number;
}

export const CREATE_ISSUE: VendorOperation<CreateIssueInput> = {
  name: 'github.issues.create',
  description: 'Opens an issue',
  effect: 'write',
  input: repoInput(
    {
      title: { type: 'string', minLength: 1, maxLength: 256 },
      body: TEXT,
      labels: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 100 } },
      assignees: { type: 'array', maxItems: 10, items: OWNER },
      milestone: NUMBER,
    },
    ['title'],
  ),
  output: ISSUE_OUTPUT,
  request: (input) => ({
    method: 'POST',
    path: repoPath(input, 'issues'),
    ...jsonBody({ title: input.title, body: input.body, labels: input.labels, assignees: input.assignees, milestone: input.milestone }),
  }),
  result: (answer) => toIssue(bodyOf(answer)),
};

export const CREATE_ISSUE_COMMENT: VendorOperation<Repo & { number: number; body: string }> = {
  name: 'github.issues.comments.create',
  description: 'Comments on an issue or a pull request (its conversation, not its diff)',
  effect: 'write',
  input: repoInput({ number: NUMBER, body: { type: 'string', minLength: 1, maxLength: 65_536 } }, ['number', 'body']),
  output: objectSchema({ id: ID, body: { type: 'string' }, url: WEB_URL, user: USER_LOGIN, createdAt: DATE_TIME }),
  request: (input) => ({ method: 'POST', path: repoPath(input, 'issues', input.number, 'comments'), ...jsonBody({ body: input.body }) }),
  result: (answer) => {
    const comment = bodyOf(answer);
    return { id: comment.id, body: comment.body, url: comment.html_url, user: login(comment.user), createdAt: comment.created_at };
  },
};
