import { isDeepStrictEqual } from 'node:util';
import { headerValue, jsonResponse, PeerRequest, PeerResponse } from '../peer-http';
import { azureDevOpsError, badRequest } from './errors';
import { IDENTITY, jsonObjectBody, PeerLocation, Project } from './model';
import { listEnvelope } from './paging';
import { compare, hasTimeOfDay, holds, parseWiql, WiqlQuery, WiqlSyntaxError } from './wiql';

export interface WorkItem {
  readonly id: number;
  readonly project: Project;
  rev: number;
  fields: Record<string, unknown>;
  relations: unknown[];
}

const WORK_ITEM_TYPES = ['Bug', 'Task', 'User Story', 'Feature', 'Epic', 'Issue'];
const JSON_PATCH = 'application/json-patch+json';
const MAX_BATCH = 200;
const WIQL_MAX_TOP = 20000;

/** `/{project}/_apis/wit/...`: work items by JSON Patch, WIQL, `workitemsbatch`. */
export class WorkItemResources {
  readonly workItems: WorkItem[] = [];
  private nextId = 1;

  constructor(private readonly location: PeerLocation) {}

  add(project: Project, type: string, fields: Record<string, unknown>, changedDate = new Date().toISOString()): WorkItem {
    const id = this.nextId++;
    const workItem: WorkItem = {
      id,
      project,
      rev: 1,
      relations: [],
      fields: {
        'System.AreaPath': project.name,
        'System.TeamProject': project.name,
        'System.IterationPath': project.name,
        'System.WorkItemType': type,
        'System.State': 'New',
        'System.Reason': 'New',
        'System.CreatedDate': changedDate,
        'System.CreatedBy': IDENTITY,
        'System.ChangedDate': changedDate,
        'System.ChangedBy': IDENTITY,
        ...fields,
      },
    };
    this.workItems.push(workItem);
    return workItem;
  }

  reset(): void {
    this.workItems.length = 0;
    this.nextId = 1;
  }

  /** `segments`: what follows `/_apis/wit/`, decoded; `project` undefined for the organisation-level routes. */
  handle(project: Project | undefined, segments: readonly string[], request: PeerRequest): PeerResponse | undefined {
    const [collection, key] = segments;
    if (collection === 'wiql' && segments.length === 1 && request.method === 'POST') return this.query(project, request);
    if (collection === 'workitemsbatch' && segments.length === 1 && request.method === 'POST') return this.batch(project, request);
    if (collection?.toLowerCase() !== 'workitems' || segments.length !== 2) return undefined;
    if (request.method === 'POST' && key.startsWith('$')) {
      if (!project) return badRequest('A work item is created in a project.');
      return this.create(project, key.slice(1), request);
    }
    const workItem = this.find(project, key);
    if (!workItem) return azureDevOpsError(404, 'WorkItemUnauthorizedAccessException', `TF401232: Work item ${key} does not exist, or you do not have permissions to read it.`);
    if (request.method === 'GET') return jsonResponse(200, this.json(workItem, fieldList(request.query.get('fields'))));
    if (request.method === 'PATCH') return this.update(workItem, request);
    return undefined;
  }

  private create(project: Project, type: string, request: PeerRequest): PeerResponse {
    if (!WORK_ITEM_TYPES.includes(type))
      return azureDevOpsError(
        404,
        'WorkItemTypeNotFoundException',
        `VS402323: Work item type ${type} does not exist in project ${project.name} or you do not have permission to access it.`,
      );
    const operations = patchDocument(request);
    if ('status' in operations) return operations;
    const draft = { fields: {} as Record<string, unknown>, relations: [] as unknown[], rev: 0 };
    const failed = applyPatch(draft, operations);
    if (failed) return failed;
    if (typeof draft.fields['System.Title'] !== 'string' || draft.fields['System.Title'] === '') {
      return azureDevOpsError(
        400,
        'RuleValidationException',
        'TF401320: Rule Error for field Title. Error code: Required, HasValues, LimitedToValues, AllowsOldValue, InvalidEmpty.',
      );
    }
    if (request.query.get('validateOnly') === 'true') return jsonResponse(200, { id: -1, rev: 0, fields: draft.fields });
    const workItem = this.add(project, type, draft.fields);
    workItem.relations = draft.relations;
    return jsonResponse(200, this.json(workItem));
  }

  private update(workItem: WorkItem, request: PeerRequest): PeerResponse {
    const operations = patchDocument(request);
    if ('status' in operations) return operations;
    const draft = { fields: { ...workItem.fields }, relations: [...workItem.relations], rev: workItem.rev };
    const failed = applyPatch(draft, operations);
    if (failed) return failed;
    if (request.query.get('validateOnly') === 'true') return jsonResponse(200, { ...this.json(workItem), fields: draft.fields });
    workItem.fields = { ...draft.fields, 'System.ChangedDate': new Date().toISOString(), 'System.ChangedBy': IDENTITY };
    workItem.relations = draft.relations;
    workItem.rev += 1;
    return jsonResponse(200, this.json(workItem));
  }

  private query(project: Project | undefined, request: PeerRequest): PeerResponse {
    const body = jsonObjectBody(request);
    if (typeof body?.query !== 'string') return badRequest('The request body must carry a WIQL query.', 'InvalidArgumentValueException');
    let query: WiqlQuery;
    try {
      query = parseWiql(body.query);
    } catch (error) {
      if (error instanceof WiqlSyntaxError) return azureDevOpsError(400, 'WorkItemTrackingQuerySyntaxException', error.message);
      throw error;
    }
    if (hasTimeOfDay(query) && request.query.get('timePrecision') !== 'true') {
      return azureDevOpsError(400, 'WorkItemTrackingQueryInvalidDateTimeException', 'TF51006: The query compares a date with a time of day; this needs timePrecision=true.');
    }
    if (query.conditions.some((condition) => typeof condition.value === 'object') && !project) {
      return azureDevOpsError(400, 'WorkItemTrackingQuerySyntaxException', 'TF51011: The @project macro needs a project in the request URL.');
    }
    const top = Math.min(Number(request.query.get('$top') ?? WIQL_MAX_TOP) || WIQL_MAX_TOP, WIQL_MAX_TOP);
    const matches = this.workItems.filter((workItem) =>
      query.conditions.every((condition) => {
        const value = typeof condition.value === 'object' ? project!.name : condition.value;
        return holds(condition.operator, compare(fieldValue(workItem, condition.field), value));
      }),
    );
    for (const order of [...query.orderBy].reverse()) {
      matches.sort((a, b) => compare(fieldValue(a, order.field), fieldValue(b, order.field) as string | number) * (order.descending ? -1 : 1));
    }
    return jsonResponse(200, {
      queryType: 'flat',
      queryResultType: 'workItem',
      asOf: new Date().toISOString(),
      columns: [{ referenceName: 'System.Id', name: 'ID', url: `${this.location.collectionUrl}/_apis/wit/fields/System.Id` }],
      workItems: matches.slice(0, top).map((workItem) => ({ id: workItem.id, url: this.url(workItem) })),
    });
  }

  private batch(project: Project | undefined, request: PeerRequest): PeerResponse {
    const body = jsonObjectBody(request);
    const ids = body?.ids;
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => Number.isInteger(id))) return badRequest('The request body must carry ids.', 'InvalidArgumentValueException');
    if (ids.length > MAX_BATCH) return badRequest(`VS402335: The maximum number of work items to read in a batch is ${MAX_BATCH}.`, 'WorkItemTrackingLimitExceededException');
    const fields = Array.isArray(body!.fields) ? (body!.fields as string[]) : undefined;
    const found = (ids as number[]).map((id) => this.find(project, String(id)));
    if (body!.errorPolicy !== 'omit' && found.some((workItem) => !workItem)) {
      return azureDevOpsError(404, 'WorkItemUnauthorizedAccessException', 'TF401232: A work item does not exist, or you do not have permissions to read it.');
    }
    return jsonResponse(200, listEnvelope(found.map((workItem) => (workItem ? this.json(workItem, fields) : null))));
  }

  private find(project: Project | undefined, key: string): WorkItem | undefined {
    return this.workItems.find((workItem) => String(workItem.id) === key && (!project || workItem.project === project));
  }

  private url(workItem: WorkItem): string {
    return `${this.location.collectionUrl}/${workItem.project.id}/_apis/wit/workItems/${workItem.id}`;
  }

  private json(workItem: WorkItem, fields?: readonly string[]): Record<string, unknown> {
    const selected = fields ? Object.fromEntries(Object.entries(workItem.fields).filter(([name]) => fields.includes(name))) : workItem.fields;
    return {
      id: workItem.id,
      rev: workItem.rev,
      fields: { ...selected, ...(fields ? {} : { 'System.Id': workItem.id, 'System.Rev': workItem.rev }) },
      ...(workItem.relations.length > 0 ? { relations: workItem.relations } : {}),
      _links: { html: { href: `${this.location.collectionUrl}/${encodeURIComponent(workItem.project.name)}/_workitems/edit/${workItem.id}` } },
      url: this.url(workItem),
    };
  }
}

interface PatchOperation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function patchDocument(request: PeerRequest): PatchOperation[] | PeerResponse {
  const contentType = (headerValue(request.headers, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (contentType !== JSON_PATCH) {
    return azureDevOpsError(
      415,
      'VssRequestContentTypeNotSupportedException',
      `The request indicated a Content-Type of "${contentType}" for method type "${request.method}" which is not supported. Valid content types for this method are: ${JSON_PATCH}.`,
    );
  }
  let operations: unknown;
  try {
    operations = JSON.parse(request.body.toString('utf8'));
  } catch {
    operations = undefined;
  }
  if (!Array.isArray(operations) || !operations.every((operation) => typeof operation?.op === 'string' && typeof operation?.path === 'string')) {
    return badRequest('You must pass a valid patch document in the body of the request.', 'VssPropertyValidationException');
  }
  return operations as PatchOperation[];
}

function applyPatch(draft: { fields: Record<string, unknown>; relations: unknown[]; rev: number }, operations: readonly PatchOperation[]): PeerResponse | undefined {
  for (const operation of operations) {
    if (operation.path === '/rev' && operation.op === 'test') {
      if (operation.value !== draft.rev)
        return azureDevOpsError(412, 'WorkItemRevisionMismatchException', `TF26071: This work item has been changed by someone else since you opened it (rev ${draft.rev}).`);
      continue;
    }
    if (operation.path === '/relations/-' && operation.op === 'add') {
      draft.relations.push(operation.value);
      continue;
    }
    const field = /^\/fields\/(.+)$/.exec(operation.path)?.[1];
    if (!field) return badRequest(`The patch path ${operation.path} is not supported by the peer.`, 'VssPropertyValidationException');
    switch (operation.op) {
      case 'add':
      case 'replace':
        draft.fields[field] = operation.value;
        break;
      case 'remove':
        delete draft.fields[field];
        break;
      case 'test':
        if (!isDeepStrictEqual(draft.fields[field], operation.value)) return badRequest(`Test operation failed for field ${field}.`, 'WorkItemPatchTestFailedException');
        break;
      default:
        return badRequest(`The patch operation ${operation.op} is not supported by the peer.`, 'VssPropertyValidationException');
    }
  }
  return undefined;
}

function fieldValue(workItem: WorkItem, field: string): unknown {
  if (field === 'System.Id') return workItem.id;
  if (field === 'System.Rev') return workItem.rev;
  return workItem.fields[field];
}

function fieldList(value: string | null): string[] | undefined {
  return value ? value.split(',').map((field) => field.trim()) : undefined;
}
