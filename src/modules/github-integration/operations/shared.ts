import { parseLinkHeader } from '../../../platform/integrations/paging/link-header';
import type { JsonSchema, VendorAnswer } from '../../../platform/vendors/vendor-descriptor';
import { OWNER_PATTERN, REPO_PATTERN } from '../github.configuration';

/** Vendor JSON as it comes: fields are read defensively and mapped to the operation's own shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- GitHub's payloads are read field by field
export type GitHubJson = Record<string, any>;

export const OWNER = { type: 'string', pattern: OWNER_PATTERN, description: 'The account owner of the repository (user or organisation login)' } as const;
export const REPO = { type: 'string', pattern: REPO_PATTERN, description: 'The repository name, without the owner' } as const;
export const NUMBER = { type: 'integer', minimum: 1 } as const;
export const ID = { type: 'integer', minimum: 1 } as const;
export const SHA = { type: 'string', pattern: '^[0-9a-fA-F]{7,64}$' } as const;
export const REF = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[^\\s~^:?*\\[\\\\]+$' } as const;
export const TEXT = { type: 'string', maxLength: 65_536 } as const;
export const DATE_TIME = { type: 'string', format: 'date-time' } as const;
export const NULLABLE_STRING = { type: ['string', 'null'] } as const;
export const WEB_URL = { type: 'string', format: 'uri' } as const;

export const PAGING = {
  perPage: { type: 'integer', minimum: 1, maximum: 100, description: 'Results per page (GitHub default 30)' },
  page: { type: 'integer', minimum: 1, description: 'Page number, from 1' },
} as const;

/** An input object: `owner` and `repo` first, `additionalProperties: false` always. */
export function repoInput(properties: Record<string, JsonSchema>, required: readonly string[] = []): JsonSchema {
  return { type: 'object', additionalProperties: false, required: ['owner', 'repo', ...required], properties: { owner: OWNER, repo: REPO, ...properties } };
}

export function objectSchema(properties: Record<string, JsonSchema>, required: readonly string[] = Object.keys(properties)): JsonSchema {
  return { type: 'object', additionalProperties: false, required: [...required], properties };
}

/** `{items, nextPage}`: one page of a list and the number of the next one (null on the last). */
export function pageSchema(item: JsonSchema, extra: Record<string, JsonSchema> = {}): JsonSchema {
  return objectSchema({ items: { type: 'array', items: item }, nextPage: { type: ['integer', 'null'], minimum: 1 }, ...extra });
}

export const USER_LOGIN = { type: ['string', 'null'], description: 'The login of the account, null when GitHub names none' } as const;

/** `/repos/{owner}/{repo}` and further segments, each percent-encoded. */
export function repoPath(input: { owner: string; repo: string }, ...segments: Array<string | number>): string {
  return ['', 'repos', input.owner, input.repo, ...segments].map((segment) => encodeURIComponent(String(segment))).join('/');
}

/** GitHub's paging and any other query parameters given; undefined ones are left out. */
export function query(values: Record<string, string | number | boolean | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) if (value !== undefined) result[name] = String(value);
  return result;
}

export function pageQuery(input: { perPage?: number; page?: number }): Record<string, string> {
  return query({ per_page: input.perPage, page: input.page });
}

export function jsonBody(values: Record<string, unknown>): { headers: Record<string, string>; body: string } {
  const body: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) if (value !== undefined) body[name] = value;
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** The page number of the answer's `rel="next"` link, null when it is the last page. */
export function nextPageOf(answer: VendorAnswer): number | null {
  const key = Object.keys(answer.headers).find((name) => name.toLowerCase() === 'link');
  const next = parseLinkHeader(key === undefined ? undefined : answer.headers[key]).get('next');
  if (!next) return null;
  try {
    const page = Number(new URL(next, 'http://relative.invalid').searchParams.get('page'));
    return Number.isInteger(page) && page > 0 ? page : null;
  } catch {
    return null;
  }
}

export function bodyOf(answer: VendorAnswer): GitHubJson {
  return typeof answer.body === 'object' && answer.body !== null ? (answer.body as GitHubJson) : {};
}

export function listOf(answer: VendorAnswer, field?: string): GitHubJson[] {
  const value = field ? bodyOf(answer)[field] : answer.body;
  return Array.isArray(value) ? value.filter((item): item is GitHubJson => typeof item === 'object' && item !== null) : [];
}

export function login(user: unknown): string | null {
  return typeof user === 'object' && user !== null && typeof (user as GitHubJson).login === 'string' ? (user as GitHubJson).login : null;
}

export function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
