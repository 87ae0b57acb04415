import type { VendorOperation } from '../../../platform/vendors/vendor-descriptor';
import { bodyOf, DATE_TIME, GitHubJson, ID, jsonBody, NULLABLE_STRING, objectSchema, repoInput, repoPath, SHA, stringOrNull, WEB_URL } from './shared';

type Repo = { owner: string; repo: string };

const STATUS = { type: 'string', enum: ['queued', 'in_progress', 'completed'] } as const;
const CONCLUSION = { type: 'string', enum: ['action_required', 'cancelled', 'failure', 'neutral', 'success', 'skipped', 'stale', 'timed_out'] } as const;
const CHECK_OUTPUT_INPUT = objectSchema(
  { title: { type: 'string', minLength: 1, maxLength: 1000 }, summary: { type: 'string', minLength: 1, maxLength: 65_535 }, text: { type: 'string', maxLength: 65_535 } },
  ['title', 'summary'],
);

/** What both create and update take, beside the check run's identity. */
const CHECK_RUN_FIELDS = {
  name: { type: 'string', minLength: 1, maxLength: 255 },
  status: STATUS,
  conclusion: { ...CONCLUSION, description: 'Required when status is completed' },
  detailsUrl: { type: 'string', format: 'uri', maxLength: 2048 },
  externalId: { type: 'string', maxLength: 255 },
  startedAt: DATE_TIME,
  completedAt: DATE_TIME,
  output: CHECK_OUTPUT_INPUT,
} as const;

interface CheckRunFields {
  name?: string;
  status?: string;
  conclusion?: string;
  detailsUrl?: string;
  externalId?: string;
  startedAt?: string;
  completedAt?: string;
  output?: { title: string; summary: string; text?: string };
}

export const CHECK_RUN_OUTPUT = objectSchema({
  id: { type: 'integer' },
  name: { type: 'string' },
  headSha: { type: 'string' },
  status: { type: 'string' },
  conclusion: NULLABLE_STRING,
  url: WEB_URL,
  detailsUrl: NULLABLE_STRING,
  startedAt: NULLABLE_STRING,
  completedAt: NULLABLE_STRING,
});

export function toCheckRun(run: GitHubJson) {
  return {
    id: run.id,
    name: run.name,
    headSha: run.head_sha,
    status: run.status,
    conclusion: stringOrNull(run.conclusion),
    url: run.html_url,
    detailsUrl: stringOrNull(run.details_url),
    startedAt: stringOrNull(run.started_at),
    completedAt: stringOrNull(run.completed_at),
  };
}

function checkRunBody(input: CheckRunFields): Record<string, unknown> {
  return {
    name: input.name,
    status: input.status,
    conclusion: input.conclusion,
    details_url: input.detailsUrl,
    external_id: input.externalId,
    started_at: input.startedAt,
    completed_at: input.completedAt,
    output: input.output,
  };
}

/** GitHub requires a conclusion once a check run is completed, and takes none before. */
const CONCLUSION_WITH_COMPLETED = {
  if: { required: ['status'], properties: { status: { const: 'completed' } } },
  then: { required: ['conclusion'] },
} as const;

export const CREATE_CHECK_RUN: VendorOperation<Repo & CheckRunFields & { headSha: string }> = {
  name: 'github.checks.runs.create',
  description: 'Creates a check run on a commit (GitHub Apps only)',
  effect: 'write',
  input: { ...repoInput({ headSha: SHA, ...CHECK_RUN_FIELDS }, ['name', 'headSha']), ...CONCLUSION_WITH_COMPLETED },
  output: CHECK_RUN_OUTPUT,
  request: (input) => ({ method: 'POST', path: repoPath(input, 'check-runs'), ...jsonBody({ ...checkRunBody(input), head_sha: input.headSha }) }),
  result: (answer) => toCheckRun(bodyOf(answer)),
};

export const UPDATE_CHECK_RUN: VendorOperation<Repo & CheckRunFields & { checkRunId: number }> = {
  name: 'github.checks.runs.update',
  description: 'Updates a check run: its status, conclusion or output (GitHub Apps only)',
  effect: 'write',
  input: { ...repoInput({ checkRunId: ID, ...CHECK_RUN_FIELDS }, ['checkRunId']), ...CONCLUSION_WITH_COMPLETED },
  output: CHECK_RUN_OUTPUT,
  request: (input) => ({ method: 'PATCH', path: repoPath(input, 'check-runs', input.checkRunId), ...jsonBody(checkRunBody(input)) }),
  result: (answer) => toCheckRun(bodyOf(answer)),
};

interface CreateStatusInput extends Repo {
  sha: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  targetUrl?: string;
  description?: string;
  context?: string;
}

export const CREATE_COMMIT_STATUS: VendorOperation<CreateStatusInput> = {
  name: 'github.statuses.create',
  description: 'Sets a commit status (error, failure, pending or success) for a context',
  effect: 'write',
  input: repoInput(
    {
      sha: SHA,
      state: { type: 'string', enum: ['error', 'failure', 'pending', 'success'] },
      targetUrl: { type: 'string', format: 'uri', maxLength: 2048 },
      description: { type: 'string', maxLength: 140 },
      context: { type: 'string', minLength: 1, maxLength: 255, description: 'Default "default"' },
    },
    ['sha', 'state'],
  ),
  output: objectSchema({
    id: { type: 'integer' },
    state: { type: 'string' },
    context: { type: 'string' },
    description: NULLABLE_STRING,
    targetUrl: NULLABLE_STRING,
    createdAt: { type: 'string' },
  }),
  request: (input) => ({
    method: 'POST',
    path: repoPath(input, 'statuses', input.sha),
    ...jsonBody({ state: input.state, target_url: input.targetUrl, description: input.description, context: input.context }),
  }),
  result: (answer) => {
    const status = bodyOf(answer);
    return {
      id: status.id,
      state: status.state,
      context: status.context,
      description: stringOrNull(status.description),
      targetUrl: stringOrNull(status.target_url),
      createdAt: status.created_at,
    };
  },
};
