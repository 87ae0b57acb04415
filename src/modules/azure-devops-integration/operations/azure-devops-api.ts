import { IntegrationError } from '../../../platform/resilience/failure-classifier';
import { readHeader } from '../../../platform/resilience/retry-policy';
import type { JsonSchema, VendorAnswer } from '../../../platform/vendors/vendor-descriptor';

/**
 * What every Azure DevOps operation and sync source shares: path building, the `{count, value}` list
 * envelope, continuation tokens, and the check that an answer is the JSON it claims to be.
 */

/** The header Azure DevOps pages its lists with (pipelines, builds, work item queries…). */
export const CONTINUATION_HEADER = 'x-ms-continuationtoken';

/**
 * Path segments from values a caller chose (project names hold spaces, refs hold slashes): each one
 * percent-encoded, so a value can never add a segment of its own.
 */
export function apiPath(...segments: ReadonlyArray<string | number>): string {
  return `/${segments.map((segment) => encodeURIComponent(String(segment))).join('/')}`;
}

/** `/{project}/_apis/...`: a project-scoped API path; `rest` are the segments after `_apis`, encoded. */
export function projectApi(project: string, ...rest: ReadonlyArray<string | number>): string {
  return `${apiPath(project)}/_apis${apiPath(...rest)}`;
}

/**
 * The JSON object an operation asked for. A 203 sign-in page never gets here (the descriptor's classify
 * fails it as Auth in the pipeline); any other answer that is not one is the vendor's fault (Poison).
 */
export function jsonBody(answer: VendorAnswer): Record<string, unknown> {
  if (isRecord(answer.body)) return answer.body;
  throw IntegrationError.poison('azure_devops_unexpected_body', `Azure DevOps answered HTTP ${answer.status} without the JSON object expected`);
}

/** The `value` array of a `{count, value}` list envelope. */
export function listValue(answer: VendorAnswer): Record<string, unknown>[] {
  const value = jsonBody(answer).value;
  if (!Array.isArray(value)) throw IntegrationError.poison('azure_devops_unexpected_body', 'Azure DevOps answered a list without its value array');
  return value.filter(isRecord);
}

export interface ListPage<Item> {
  readonly items: Item[];
  /** Pass it back as `continuationToken` for the next page; null on the last page. */
  readonly continuationToken: string | null;
}

/** A list answer paged by `x-ms-continuationtoken`, its items mapped to a stable shape. */
export function continuationPage<Item>(answer: VendorAnswer, map: (item: Record<string, unknown>) => Item): ListPage<Item> {
  return { items: listValue(answer).map(map), continuationToken: readHeader(answer.headers, CONTINUATION_HEADER) || null };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

export function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function integer(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

/** `_links.web.href`: the page a person opens, where the API gives one. */
export function webLink(item: Record<string, unknown>): string | null {
  return text(record(record(record(item._links).web)).href);
}

/** An identity as Azure DevOps sends it (`IdentityRef`), reduced to what callers use. */
export function identity(value: unknown): { id: string | null; displayName: string | null; uniqueName: string | null } | null {
  if (!isRecord(value)) return null;
  return { id: text(value.id), displayName: text(value.displayName), uniqueName: text(value.uniqueName) };
}

// --- JSON Schema building blocks --------------------------------------------------------------------

export const PROJECT: JsonSchema = { type: 'string', minLength: 1, maxLength: 256, description: 'Project name or id' };
export const REPOSITORY_ID: JsonSchema = { type: 'string', minLength: 1, maxLength: 256, description: 'Repository name or id (GUID)' };
export const POSITIVE_ID: JsonSchema = { type: 'integer', minimum: 1, maximum: 2147483647 };
export const CONTINUATION_TOKEN: JsonSchema = { type: 'string', minLength: 1, maxLength: 4096, description: 'The continuationToken of the previous page' };
export const TOP: JsonSchema = { type: 'integer', minimum: 1, maximum: 1000, description: 'Page size' };
export const NULLABLE_STRING: JsonSchema = { type: ['string', 'null'] };
export const IDENTITY: JsonSchema = {
  type: ['object', 'null'],
  properties: { id: NULLABLE_STRING, displayName: NULLABLE_STRING, uniqueName: NULLABLE_STRING },
};

/** An input object: only the listed properties, `required` ones present. */
export function inputSchema(properties: Record<string, JsonSchema>, required: readonly string[]): JsonSchema {
  return { type: 'object', additionalProperties: false, properties, required: [...required] };
}

/** The output of a list operation: `{items, continuationToken}`. */
export function pageSchema(item: JsonSchema): JsonSchema {
  return { type: 'object', properties: { items: { type: 'array', items: item }, continuationToken: NULLABLE_STRING }, required: ['items', 'continuationToken'] };
}
