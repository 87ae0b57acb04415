import type { VendorOperation } from '../../../platform/vendors/vendor-descriptor';
import {
  bodyOf,
  GitHubJson,
  ID,
  jsonBody,
  listOf,
  login,
  nextPageOf,
  NULLABLE_STRING,
  objectSchema,
  PAGING,
  pageQuery,
  pageSchema,
  query,
  REF,
  repoInput,
  repoPath,
  stringOrNull,
  USER_LOGIN,
  WEB_URL,
} from './shared';

type Repo = { owner: string; repo: string };

/** A workflow's numeric id or its file name (`ci.yml`). */
const WORKFLOW = { anyOf: [ID, { type: 'string', pattern: '^[A-Za-z0-9._-]{1,255}\\.ya?ml$' }] } as const;

export const WORKFLOW_RUN_OUTPUT = objectSchema({
  id: { type: 'integer' },
  name: NULLABLE_STRING,
  workflowId: { type: 'integer' },
  runNumber: { type: 'integer' },
  event: { type: 'string' },
  status: NULLABLE_STRING,
  conclusion: NULLABLE_STRING,
  headBranch: NULLABLE_STRING,
  headSha: { type: 'string' },
  actor: USER_LOGIN,
  url: WEB_URL,
  createdAt: { type: 'string' },
  updatedAt: { type: 'string' },
});

export function toWorkflowRun(run: GitHubJson) {
  return {
    id: run.id,
    name: stringOrNull(run.name),
    workflowId: run.workflow_id,
    runNumber: run.run_number,
    event: run.event,
    status: stringOrNull(run.status),
    conclusion: stringOrNull(run.conclusion),
    headBranch: stringOrNull(run.head_branch),
    headSha: run.head_sha,
    actor: login(run.actor),
    url: run.html_url,
    createdAt: run.created_at,
    updatedAt: run.updated_at,
  };
}

interface DispatchInput extends Repo {
  workflow: number | string;
  ref: string;
  inputs?: Record<string, string | number | boolean>;
}

export const DISPATCH_WORKFLOW: VendorOperation<DispatchInput> = {
  name: 'github.actions.workflows.dispatch',
  description: 'Triggers a workflow_dispatch event for a workflow (by id or file name) on a ref',
  effect: 'write',
  input: repoInput(
    {
      workflow: WORKFLOW,
      ref: REF,
      inputs: { type: 'object', maxProperties: 25, additionalProperties: { type: ['string', 'number', 'boolean'] } },
    },
    ['workflow', 'ref'],
  ),
  output: objectSchema({ dispatched: { type: 'boolean', const: true } }),
  request: (input) => ({ method: 'POST', path: repoPath(input, 'actions', 'workflows', input.workflow, 'dispatches'), ...jsonBody({ ref: input.ref, inputs: input.inputs }) }),
  result: () => ({ dispatched: true }),
};

interface ListRunsInput extends Repo {
  workflow?: number | string;
  branch?: string;
  event?: string;
  status?: string;
  actor?: string;
  headSha?: string;
  perPage?: number;
  page?: number;
}

export const LIST_WORKFLOW_RUNS: VendorOperation<ListRunsInput> = {
  name: 'github.actions.runs.list',
  description: 'Lists a repository’s workflow runs, or one workflow’s',
  effect: 'read',
  input: repoInput({
    workflow: WORKFLOW,
    branch: REF,
    event: { type: 'string', pattern: '^[a-z_]{1,64}$' },
    status: {
      type: 'string',
      enum: [
        'completed',
        'action_required',
        'cancelled',
        'failure',
        'neutral',
        'skipped',
        'stale',
        'success',
        'timed_out',
        'in_progress',
        'queued',
        'requested',
        'waiting',
        'pending',
      ],
    },
    actor: { type: 'string', maxLength: 39 },
    headSha: { type: 'string', pattern: '^[0-9a-fA-F]{40}$' },
    ...PAGING,
  }),
  output: pageSchema(WORKFLOW_RUN_OUTPUT, { totalCount: { type: 'integer' } }),
  request: (input) => ({
    method: 'GET',
    path: input.workflow === undefined ? repoPath(input, 'actions', 'runs') : repoPath(input, 'actions', 'workflows', input.workflow, 'runs'),
    query: { ...query({ branch: input.branch, event: input.event, status: input.status, actor: input.actor, head_sha: input.headSha }), ...pageQuery(input) },
  }),
  result: (answer) => ({
    items: listOf(answer, 'workflow_runs').map(toWorkflowRun),
    nextPage: nextPageOf(answer),
    totalCount: typeof bodyOf(answer).total_count === 'number' ? bodyOf(answer).total_count : 0,
  }),
};

export const GET_WORKFLOW_RUN: VendorOperation<Repo & { runId: number }> = {
  name: 'github.actions.runs.get',
  description: 'Gets a workflow run',
  effect: 'read',
  input: repoInput({ runId: ID }, ['runId']),
  output: WORKFLOW_RUN_OUTPUT,
  request: (input) => ({ method: 'GET', path: repoPath(input, 'actions', 'runs', input.runId) }),
  result: (answer) => toWorkflowRun(bodyOf(answer)),
};
