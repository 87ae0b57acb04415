import type { JsonSchema, VendorOperation } from '../../../platform/vendors/vendor-descriptor';
import {
  CONTINUATION_TOKEN,
  continuationPage,
  IDENTITY,
  identity,
  inputSchema,
  integer,
  jsonBody,
  ListPage,
  NULLABLE_STRING,
  pageSchema,
  POSITIVE_ID,
  PROJECT,
  projectApi,
  record,
  text,
  TOP,
  webLink,
} from './azure-devops-api';
import { fullRefName } from './git.operations';

/** Azure DevOps Pipelines (`pipelines` area) and the builds they run (`build` area). */

export interface Pipeline {
  id: number | null;
  name: string | null;
  folder: string | null;
  revision: number | null;
  url: string | null;
  webUrl: string | null;
}

export interface PipelineRun {
  id: number | null;
  name: string | null;
  state: string | null;
  result: string | null;
  pipeline: { id: number | null; name: string | null };
  createdDate: string | null;
  finishedDate: string | null;
  url: string | null;
  webUrl: string | null;
}

export interface Build {
  id: number | null;
  buildNumber: string | null;
  status: string | null;
  result: string | null;
  definition: { id: number | null; name: string | null };
  sourceBranch: string | null;
  sourceVersion: string | null;
  requestedFor: ReturnType<typeof identity>;
  queueTime: string | null;
  startTime: string | null;
  finishTime: string | null;
  url: string | null;
  webUrl: string | null;
}

const NULLABLE_INTEGER: JsonSchema = { type: ['integer', 'null'] };
const NAMED_REFERENCE: JsonSchema = { type: 'object', properties: { id: NULLABLE_INTEGER, name: NULLABLE_STRING } };
const VARIABLE_NAME = '^[A-Za-z0-9._-]{1,256}$';

const PIPELINE: JsonSchema = {
  type: 'object',
  properties: { id: NULLABLE_INTEGER, name: NULLABLE_STRING, folder: NULLABLE_STRING, revision: NULLABLE_INTEGER, url: NULLABLE_STRING, webUrl: NULLABLE_STRING },
  required: ['id', 'name', 'url'],
};

const PIPELINE_RUN: JsonSchema = {
  type: 'object',
  properties: {
    id: NULLABLE_INTEGER,
    name: NULLABLE_STRING,
    state: NULLABLE_STRING,
    result: NULLABLE_STRING,
    pipeline: NAMED_REFERENCE,
    createdDate: NULLABLE_STRING,
    finishedDate: NULLABLE_STRING,
    url: NULLABLE_STRING,
    webUrl: NULLABLE_STRING,
  },
  required: ['id', 'state', 'url'],
};

const BUILD: JsonSchema = {
  type: 'object',
  properties: {
    id: NULLABLE_INTEGER,
    buildNumber: NULLABLE_STRING,
    status: NULLABLE_STRING,
    result: NULLABLE_STRING,
    definition: NAMED_REFERENCE,
    sourceBranch: NULLABLE_STRING,
    sourceVersion: NULLABLE_STRING,
    requestedFor: IDENTITY,
    queueTime: NULLABLE_STRING,
    startTime: NULLABLE_STRING,
    finishTime: NULLABLE_STRING,
    url: NULLABLE_STRING,
    webUrl: NULLABLE_STRING,
  },
  required: ['id', 'status', 'url'],
};

export function toPipeline(item: Record<string, unknown>): Pipeline {
  return { id: integer(item.id), name: text(item.name), folder: text(item.folder), revision: integer(item.revision), url: text(item.url), webUrl: webLink(item) };
}

export function toPipelineRun(item: Record<string, unknown>): PipelineRun {
  const pipeline = record(item.pipeline);
  return {
    id: integer(item.id),
    name: text(item.name),
    state: text(item.state),
    result: text(item.result),
    pipeline: { id: integer(pipeline.id), name: text(pipeline.name) },
    createdDate: text(item.createdDate),
    finishedDate: text(item.finishedDate),
    url: text(item.url),
    webUrl: webLink(item),
  };
}

export function toBuild(item: Record<string, unknown>): Build {
  const definition = record(item.definition);
  return {
    id: integer(item.id),
    buildNumber: text(item.buildNumber),
    status: text(item.status),
    result: text(item.result),
    definition: { id: integer(definition.id), name: text(definition.name) },
    sourceBranch: text(item.sourceBranch),
    sourceVersion: text(item.sourceVersion),
    requestedFor: identity(item.requestedFor),
    queueTime: text(item.queueTime),
    startTime: text(item.startTime),
    finishTime: text(item.finishTime),
    url: text(item.url),
    webUrl: webLink(item),
  };
}

export const listPipelines: VendorOperation<{ project: string; top?: number; orderBy?: string; continuationToken?: string }, ListPage<Pipeline>> = {
  name: 'azure-devops.pipelines.list',
  description: 'Lists the pipelines of a project, paged by continuation token',
  effect: 'read',
  input: inputSchema({ project: PROJECT, top: TOP, orderBy: { enum: ['name asc', 'name desc'] }, continuationToken: CONTINUATION_TOKEN }, ['project']),
  output: pageSchema(PIPELINE),
  request: (input) => {
    const query: Record<string, string> = {};
    if (input.top !== undefined) query.$top = String(input.top);
    if (input.orderBy) query.orderBy = input.orderBy;
    if (input.continuationToken) query.continuationToken = input.continuationToken;
    return { method: 'GET', path: projectApi(input.project, 'pipelines'), query };
  },
  result: (answer) => continuationPage(answer, toPipeline),
};

export interface RunPipelineInput {
  project: string;
  pipelineId: number;
  /** The branch or ref of the pipeline's own repository to run (`self`); its default branch when absent. */
  refName?: string;
  templateParameters?: Record<string, string>;
  variables?: Record<string, string>;
}

export const runPipeline: VendorOperation<RunPipelineInput, PipelineRun> = {
  name: 'azure-devops.pipelines.run',
  description: 'Queues a run of a pipeline, optionally on a branch and with template parameters and variables',
  effect: 'write',
  input: inputSchema(
    {
      project: PROJECT,
      pipelineId: POSITIVE_ID,
      refName: { type: 'string', minLength: 1, maxLength: 400 },
      templateParameters: { type: 'object', maxProperties: 100, propertyNames: { pattern: VARIABLE_NAME }, additionalProperties: { type: 'string', maxLength: 4000 } },
      variables: { type: 'object', maxProperties: 100, propertyNames: { pattern: VARIABLE_NAME }, additionalProperties: { type: 'string', maxLength: 4000 } },
    },
    ['project', 'pipelineId'],
  ),
  output: PIPELINE_RUN,
  request: (input) => ({
    method: 'POST',
    path: projectApi(input.project, 'pipelines', input.pipelineId, 'runs'),
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      ...(input.refName ? { resources: { repositories: { self: { refName: fullRefName(input.refName) } } } } : {}),
      ...(input.templateParameters ? { templateParameters: input.templateParameters } : {}),
      ...(input.variables ? { variables: Object.fromEntries(Object.entries(input.variables).map(([name, value]) => [name, { value }])) } : {}),
    }),
  }),
  result: (answer) => toPipelineRun(jsonBody(answer)),
};

export const getBuild: VendorOperation<{ project: string; buildId: number }, Build> = {
  name: 'azure-devops.builds.get',
  description: 'Gets one build (a pipeline run as the build API sees it): status, result, branch and times',
  effect: 'read',
  input: inputSchema({ project: PROJECT, buildId: POSITIVE_ID }, ['project', 'buildId']),
  output: BUILD,
  request: (input) => ({ method: 'GET', path: projectApi(input.project, 'build', 'builds', input.buildId) }),
  result: (answer) => toBuild(jsonBody(answer)),
};

export const PIPELINE_OPERATIONS: readonly VendorOperation[] = [listPipelines, runPipeline, getBuild];
