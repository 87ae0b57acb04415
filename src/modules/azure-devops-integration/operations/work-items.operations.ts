import type { GovernedRequest } from '../../../platform/integrations/governed/governed-request';
import type { JsonSchema, VendorAnswer, VendorOperation } from '../../../platform/vendors/vendor-descriptor';
import { IDENTITY, identity, inputSchema, integer, isRecord, jsonBody, listValue, NULLABLE_STRING, POSITIVE_ID, PROJECT, projectApi, record, text } from './azure-devops-api';

/** Azure DevOps work item tracking (`wit` area): work items by JSON Patch, WIQL queries, batch reads. */

export interface WorkItem {
  id: number | null;
  rev: number | null;
  type: string | null;
  title: string | null;
  state: string | null;
  assignedTo: ReturnType<typeof identity>;
  areaPath: string | null;
  iterationPath: string | null;
  createdDate: string | null;
  changedDate: string | null;
  url: string | null;
  webUrl: string | null;
  /** Every field the answer carried, by reference name (`System.Title`, `Microsoft.VSTS.Common.Priority`). */
  fields: Record<string, unknown>;
}

/** RFC 6902 operation, as Azure DevOps takes it for work items. */
export interface PatchOperation {
  op: 'add' | 'remove' | 'replace' | 'test' | 'move' | 'copy';
  path: string;
  from?: string;
  value?: unknown;
}

/** Azure DevOps reads at most 200 work items per `workitemsbatch` call. */
export const WORK_ITEMS_PER_BATCH = 200;
/** The most work items a WIQL query returns (Azure DevOps' own limit). */
const WIQL_MAX_TOP = 20000;
/** How many of a query's work items `includeItems` reads: five batch calls at most. */
const MAX_ITEMS_READ = 1000;
const JSON_PATCH_MEDIA_TYPE = 'application/json-patch+json';
const FIELD_REFERENCE = '[A-Za-z][A-Za-z0-9_]*(\\.[A-Za-z0-9_]+)*';

/**
 * The paths a work item patch may touch: a field by reference name, a relation (`-` appends), or the
 * revision (`test` on `/rev` is the optimistic-concurrency check).
 */
const PATCH_OPERATION: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    op: { enum: ['add', 'remove', 'replace', 'test', 'move', 'copy'] },
    path: { type: 'string', pattern: `^/(fields/${FIELD_REFERENCE}|relations/(-|[0-9]+)(/[A-Za-z]+)?|rev|id)$` },
    from: { type: 'string', pattern: `^/(fields/${FIELD_REFERENCE}|relations/[0-9]+)$` },
    value: {},
  },
  required: ['op', 'path'],
  allOf: [
    { if: { properties: { op: { enum: ['add', 'replace', 'test'] } }, required: ['op'] }, then: { properties: { value: true }, required: ['value'] } },
    { if: { properties: { op: { enum: ['move', 'copy'] } }, required: ['op'] }, then: { properties: { from: true }, required: ['from'] } },
  ],
};

const PATCH_DOCUMENT: JsonSchema = { type: 'array', minItems: 1, maxItems: 200, items: PATCH_OPERATION, description: 'RFC 6902 JSON Patch operations' };
const FIELD_NAMES: JsonSchema = { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', pattern: `^${FIELD_REFERENCE}$` } };
const PATCH_FLAGS = {
  validateOnly: { type: 'boolean', description: 'Validate the change without saving it' },
  bypassRules: { type: 'boolean', description: 'Skip work item type rules (needs the project permission)' },
  suppressNotifications: { type: 'boolean' },
} as const;

const WORK_ITEM: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: ['integer', 'null'] },
    rev: { type: ['integer', 'null'] },
    type: NULLABLE_STRING,
    title: NULLABLE_STRING,
    state: NULLABLE_STRING,
    assignedTo: IDENTITY,
    areaPath: NULLABLE_STRING,
    iterationPath: NULLABLE_STRING,
    createdDate: NULLABLE_STRING,
    changedDate: NULLABLE_STRING,
    url: NULLABLE_STRING,
    webUrl: NULLABLE_STRING,
    fields: { type: 'object' },
  },
  required: ['id', 'rev', 'title', 'state', 'url', 'fields'],
};

export function toWorkItem(item: Record<string, unknown>): WorkItem {
  const fields = record(item.fields);
  return {
    id: integer(item.id),
    rev: integer(item.rev),
    type: text(fields['System.WorkItemType']),
    title: text(fields['System.Title']),
    state: text(fields['System.State']),
    assignedTo: identity(fields['System.AssignedTo']),
    areaPath: text(fields['System.AreaPath']),
    iterationPath: text(fields['System.IterationPath']),
    createdDate: text(fields['System.CreatedDate']),
    changedDate: text(fields['System.ChangedDate']),
    url: text(item.url),
    // Work items link their page as `html`, not `web`.
    webUrl: text(record(record(record(item._links).html)).href),
    fields,
  };
}

interface PatchInput {
  project: string;
  operations: PatchOperation[];
  validateOnly?: boolean;
  bypassRules?: boolean;
  suppressNotifications?: boolean;
}

function patchRequest(method: 'POST' | 'PATCH', path: string, input: PatchInput): GovernedRequest {
  const query: Record<string, string> = {};
  for (const flag of ['validateOnly', 'bypassRules', 'suppressNotifications'] as const) if (input[flag] !== undefined) query[flag] = String(input[flag]);
  return { method, path, query, headers: { 'content-type': JSON_PATCH_MEDIA_TYPE }, body: JSON.stringify(input.operations) };
}

export const getWorkItem: VendorOperation<{ project: string; id: number; fields?: string[]; asOf?: string }, WorkItem> = {
  name: 'azure-devops.workitems.get',
  description: 'Gets one work item, all its fields or the ones named, optionally as it was at a moment (asOf)',
  effect: 'read',
  input: inputSchema({ project: PROJECT, id: POSITIVE_ID, fields: FIELD_NAMES, asOf: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}(T[0-9:.]+(Z|[+-]\\d{2}:\\d{2})?)?$' } }, [
    'project',
    'id',
  ]),
  output: WORK_ITEM,
  request: (input) => {
    const query: Record<string, string> = {};
    if (input.fields) query.fields = input.fields.join(',');
    if (input.asOf) query.asOf = input.asOf;
    return { method: 'GET', path: projectApi(input.project, 'wit', 'workitems', input.id), query };
  },
  result: (answer) => toWorkItem(jsonBody(answer)),
};

export const createWorkItem: VendorOperation<PatchInput & { type: string }, WorkItem> = {
  name: 'azure-devops.workitems.create',
  description: 'Creates a work item of a type (Bug, Task, User Story…) from JSON Patch operations setting its fields',
  effect: 'write',
  input: inputSchema({ project: PROJECT, type: { type: 'string', minLength: 1, maxLength: 128, description: 'Work item type name' }, operations: PATCH_DOCUMENT, ...PATCH_FLAGS }, [
    'project',
    'type',
    'operations',
  ]),
  output: WORK_ITEM,
  // The type is a `$`-prefixed path segment: `POST /{project}/_apis/wit/workitems/$Task`.
  request: (input) => patchRequest('POST', `${projectApi(input.project, 'wit', 'workitems')}/$${encodeURIComponent(input.type)}`, input),
  result: (answer) => toWorkItem(jsonBody(answer)),
};

export const updateWorkItem: VendorOperation<PatchInput & { id: number }, WorkItem> = {
  name: 'azure-devops.workitems.update',
  description: 'Changes a work item by JSON Patch operations (a `test` on /rev makes it conditional on the revision)',
  effect: 'write',
  input: inputSchema({ project: PROJECT, id: POSITIVE_ID, operations: PATCH_DOCUMENT, ...PATCH_FLAGS }, ['project', 'id', 'operations']),
  output: WORK_ITEM,
  request: (input) => patchRequest('PATCH', projectApi(input.project, 'wit', 'workitems', input.id), input),
  result: (answer) => toWorkItem(jsonBody(answer)),
};

/** A WIQL query (`POST /{project}/_apis/wit/wiql`). `timePrecision`: date comparisons to the second, not the day. */
export function wiqlRequest(project: string | undefined, query: string, top: number): GovernedRequest {
  return {
    method: 'POST',
    path: project === undefined ? '/_apis/wit/wiql' : projectApi(project, 'wit', 'wiql'),
    query: { $top: String(top), timePrecision: 'true' },
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  };
}

/** The ids a WIQL answer lists: its work items (flat queries) or the targets of its links (tree and one-hop queries). */
export function wiqlIds(answer: VendorAnswer): number[] {
  const body = jsonBody(answer);
  const listed = Array.isArray(body.workItems)
    ? body.workItems.filter(isRecord).map((item) => integer(item.id))
    : Array.isArray(body.workItemRelations)
      ? body.workItemRelations.filter(isRecord).map((relation) => integer(record(relation.target).id))
      : [];
  return [...new Set(listed.filter((id): id is number => id !== null))];
}

/** Reads work items by id (`POST /_apis/wit/workitemsbatch`); ids deleted meanwhile are left out rather than failing the batch. */
export function workItemsBatchRequest(project: string | undefined, ids: readonly number[], fields?: readonly string[]): GovernedRequest {
  return {
    method: 'POST',
    path: project === undefined ? '/_apis/wit/workitemsbatch' : projectApi(project, 'wit', 'workitemsbatch'),
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ids, errorPolicy: 'omit', ...(fields ? { fields } : {}) }),
  };
}

/** The work items of a batch answer; `omit` answers null for an id that no longer resolves. */
export function batchWorkItems(answer: VendorAnswer): WorkItem[] {
  return listValue(answer).map(toWorkItem);
}

export interface QueryWorkItemsInput {
  project: string;
  query: string;
  top?: number;
  includeItems?: boolean;
  fields?: string[];
}

export const queryWorkItems: VendorOperation<QueryWorkItemsInput, { ids: number[]; items?: WorkItem[] }> = {
  name: 'azure-devops.workitems.query',
  description: `Runs a WIQL query and answers the work item ids; with includeItems, also the first ${MAX_ITEMS_READ} work items, read in batches of ${WORK_ITEMS_PER_BATCH}`,
  effect: 'read',
  input: inputSchema(
    {
      project: PROJECT,
      query: { type: 'string', minLength: 1, maxLength: 32000, description: "WIQL, e.g. SELECT [System.Id] FROM WorkItems WHERE [System.State] = 'Active'" },
      top: { type: 'integer', minimum: 1, maximum: WIQL_MAX_TOP },
      includeItems: { type: 'boolean' },
      fields: FIELD_NAMES,
    },
    ['project', 'query'],
  ),
  output: { type: 'object', properties: { ids: { type: 'array', items: { type: 'integer' } }, items: { type: 'array', items: WORK_ITEM } }, required: ['ids'] },
  run: async (input, call) => {
    const ids = wiqlIds(await call(wiqlRequest(input.project, input.query, input.top ?? WORK_ITEMS_PER_BATCH)));
    if (!input.includeItems) return { ids };
    const items: WorkItem[] = [];
    const toRead = ids.slice(0, MAX_ITEMS_READ);
    for (let start = 0; start < toRead.length; start += WORK_ITEMS_PER_BATCH) {
      items.push(...batchWorkItems(await call(workItemsBatchRequest(input.project, toRead.slice(start, start + WORK_ITEMS_PER_BATCH), input.fields))));
    }
    return { ids, items };
  },
};

export const WORK_ITEM_OPERATIONS: readonly VendorOperation[] = [getWorkItem, createWorkItem, updateWorkItem, queryWorkItems];
