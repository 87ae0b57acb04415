import { IntegrationError } from '../../../platform/resilience/failure-classifier';
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
  PAGING,
  pageQuery,
  pageSchema,
  query,
  REF,
  repoInput,
  repoPath,
  SHA,
  stringOrNull,
  TEXT,
  USER_LOGIN,
  WEB_URL,
} from './shared';

type Repo = { owner: string; repo: string };

const BRANCH_OUTPUT = objectSchema({ ref: { type: 'string' }, sha: { type: 'string' }, repo: NULLABLE_STRING });

export const PULL_REQUEST_OUTPUT = objectSchema({
  number: { type: 'integer' },
  title: { type: 'string' },
  state: { type: 'string', enum: ['open', 'closed'] },
  url: WEB_URL,
  head: BRANCH_OUTPUT,
  base: BRANCH_OUTPUT,
  draft: { type: 'boolean' },
  merged: { type: 'boolean' },
  user: USER_LOGIN,
  createdAt: { type: 'string' },
  updatedAt: { type: 'string' },
});

function branch(side: GitHubJson | undefined) {
  return { ref: side?.ref ?? '', sha: side?.sha ?? '', repo: stringOrNull(side?.repo?.full_name) };
}

/** The list endpoint leaves `merged` out: a closed pull request with `merged_at` was merged. */
export function toPullRequest(pull: GitHubJson) {
  return {
    number: pull.number,
    title: pull.title,
    state: pull.state,
    url: pull.html_url,
    head: branch(pull.head),
    base: branch(pull.base),
    draft: pull.draft === true,
    merged: pull.merged === true || (pull.merged === undefined && typeof pull.merged_at === 'string'),
    user: login(pull.user),
    createdAt: pull.created_at,
    updatedAt: pull.updated_at,
  };
}

interface ListPullsInput extends Repo {
  state?: 'open' | 'closed' | 'all';
  head?: string;
  base?: string;
  sort?: string;
  direction?: string;
  perPage?: number;
  page?: number;
}

export const LIST_PULLS: VendorOperation<ListPullsInput> = {
  name: 'github.pulls.list',
  description: 'Lists a repository’s pull requests',
  effect: 'read',
  input: repoInput({
    state: { type: 'string', enum: ['open', 'closed', 'all'] },
    head: { type: 'string', maxLength: 300, description: 'Filter by head user or organisation and branch: user:ref-name' },
    base: REF,
    sort: { type: 'string', enum: ['created', 'updated', 'popularity', 'long-running'] },
    direction: { type: 'string', enum: ['asc', 'desc'] },
    ...PAGING,
  }),
  output: pageSchema(PULL_REQUEST_OUTPUT),
  request: (input) => ({
    method: 'GET',
    path: repoPath(input, 'pulls'),
    query: { ...query({ state: input.state, head: input.head, base: input.base, sort: input.sort, direction: input.direction }), ...pageQuery(input) },
  }),
  result: (answer) => ({ items: listOf(answer).map(toPullRequest), nextPage: nextPageOf(answer) }),
};

export const GET_PULL: VendorOperation<Repo & { number: number }> = {
  name: 'github.pulls.get',
  description: 'Gets a pull request',
  effect: 'read',
  input: repoInput({ number: NUMBER }, ['number']),
  output: PULL_REQUEST_OUTPUT,
  request: (input) => ({ method: 'GET', path: repoPath(input, 'pulls', input.number) }),
  result: (answer) => toPullRequest(bodyOf(answer)),
};

interface CreatePullInput extends Repo {
  title: string;
  head: string;
  base: string;
  body?: string;
  draft?: boolean;
  maintainerCanModify?: boolean;
}

export const CREATE_PULL: VendorOperation<CreatePullInput> = {
  name: 'github.pulls.create',
  description: 'Opens a pull request from head into base',
  effect: 'write',
  input: repoInput(
    {
      title: { type: 'string', minLength: 1, maxLength: 256 },
      head: { type: 'string', minLength: 1, maxLength: 300, description: 'The branch with the changes (user:branch across forks)' },
      base: REF,
      body: TEXT,
      draft: { type: 'boolean' },
      maintainerCanModify: { type: 'boolean' },
    },
    ['title', 'head', 'base'],
  ),
  output: PULL_REQUEST_OUTPUT,
  request: (input) => ({
    method: 'POST',
    path: repoPath(input, 'pulls'),
    ...jsonBody({ title: input.title, head: input.head, base: input.base, body: input.body, draft: input.draft, maintainer_can_modify: input.maintainerCanModify }),
  }),
  result: (answer) => toPullRequest(bodyOf(answer)),
};

interface MergePullInput extends Repo {
  number: number;
  mergeMethod?: 'merge' | 'squash' | 'rebase';
  commitTitle?: string;
  commitMessage?: string;
  sha?: string;
}

export const MERGE_PULL: VendorOperation<MergePullInput> = {
  name: 'github.pulls.merge',
  description: 'Merges a pull request; 409 when it is not mergeable or its head moved past sha',
  effect: 'write',
  input: repoInput(
    {
      number: NUMBER,
      mergeMethod: { type: 'string', enum: ['merge', 'squash', 'rebase'] },
      commitTitle: { type: 'string', maxLength: 256 },
      commitMessage: TEXT,
      sha: { ...SHA, description: 'Merge only if the head is still this commit' },
    },
    ['number'],
  ),
  output: objectSchema({ merged: { type: 'boolean' }, sha: NULLABLE_STRING, message: { type: 'string' } }),
  run: async (input, call) => {
    const answer = await call(
      {
        method: 'PUT',
        path: repoPath(input, 'pulls', input.number, 'merge'),
        ...jsonBody({ merge_method: input.mergeMethod, commit_title: input.commitTitle, commit_message: input.commitMessage, sha: input.sha }),
      },
      { accept: [405] },
    );
    const body = bodyOf(answer);
    // GitHub answers 405 for a pull request that cannot be merged (conflicts, checks, draft): the caller's state, not a fault.
    if (answer.status === 405) throw IntegrationError.validation('vendor_conflict', `GitHub did not merge pull request ${input.number}: ${notMergeableReason(body)}`);
    return { merged: body.merged === true, sha: stringOrNull(body.sha), message: typeof body.message === 'string' ? body.message : '' };
  },
};

function notMergeableReason(body: GitHubJson): string {
  return typeof body.message === 'string' ? body.message.slice(0, 200).replace(/[^\x20-\x7e]/g, '?') : 'it is not mergeable';
}

const REVIEW_COMMENT_INPUT = objectSchema(
  {
    path: { type: 'string', minLength: 1, maxLength: 4096 },
    body: { type: 'string', minLength: 1, maxLength: 65_536 },
    line: NUMBER,
    side: { type: 'string', enum: ['LEFT', 'RIGHT'] },
  },
  ['path', 'body'],
);

interface CreateReviewInput extends Repo {
  number: number;
  event: 'APPROVE' | 'REQUEST_CHANGES' | 'COMMENT';
  body?: string;
  commitId?: string;
  comments?: Array<{ path: string; body: string; line?: number; side?: string }>;
}

export const CREATE_PULL_REVIEW: VendorOperation<CreateReviewInput> = {
  name: 'github.pulls.reviews.create',
  description: 'Submits a review of a pull request (approve, request changes or comment), optionally with line comments',
  effect: 'write',
  input: repoInput(
    {
      number: NUMBER,
      event: { type: 'string', enum: ['APPROVE', 'REQUEST_CHANGES', 'COMMENT'] },
      body: TEXT,
      commitId: SHA,
      comments: { type: 'array', maxItems: 100, items: REVIEW_COMMENT_INPUT },
    },
    ['number', 'event'],
  ),
  output: objectSchema({ id: { type: 'integer' }, state: { type: 'string' }, body: NULLABLE_STRING, url: WEB_URL, user: USER_LOGIN, submittedAt: NULLABLE_STRING }),
  request: (input) => ({
    method: 'POST',
    path: repoPath(input, 'pulls', input.number, 'reviews'),
    ...jsonBody({ event: input.event, body: input.body, commit_id: input.commitId, comments: input.comments }),
  }),
  result: (answer) => {
    const review = bodyOf(answer);
    return { id: review.id, state: review.state, body: stringOrNull(review.body), url: review.html_url, user: login(review.user), submittedAt: stringOrNull(review.submitted_at) };
  },
};

interface CreateReviewCommentInput extends Repo {
  number: number;
  body: string;
  commitId: string;
  path: string;
  line: number;
  side?: 'LEFT' | 'RIGHT';
  startLine?: number;
  startSide?: 'LEFT' | 'RIGHT';
}

export const CREATE_PULL_COMMENT: VendorOperation<CreateReviewCommentInput> = {
  name: 'github.pulls.comments.create',
  description: 'Comments on a line (or lines) of a pull request’s diff',
  effect: 'write',
  input: repoInput(
    {
      number: NUMBER,
      body: { type: 'string', minLength: 1, maxLength: 65_536 },
      commitId: SHA,
      path: { type: 'string', minLength: 1, maxLength: 4096 },
      line: NUMBER,
      side: { type: 'string', enum: ['LEFT', 'RIGHT'] },
      startLine: NUMBER,
      startSide: { type: 'string', enum: ['LEFT', 'RIGHT'] },
    },
    ['number', 'body', 'commitId', 'path', 'line'],
  ),
  output: objectSchema({ id: ID, body: { type: 'string' }, path: { type: 'string' }, line: { type: ['integer', 'null'] }, url: WEB_URL, user: USER_LOGIN, createdAt: DATE_TIME }),
  request: (input) => ({
    method: 'POST',
    path: repoPath(input, 'pulls', input.number, 'comments'),
    ...jsonBody({ body: input.body, commit_id: input.commitId, path: input.path, line: input.line, side: input.side, start_line: input.startLine, start_side: input.startSide }),
  }),
  result: (answer) => {
    const comment = bodyOf(answer);
    return {
      id: comment.id,
      body: comment.body,
      path: comment.path,
      line: typeof comment.line === 'number' ? comment.line : null,
      url: comment.html_url,
      user: login(comment.user),
      createdAt: comment.created_at,
    };
  },
};
