import { linkNext, splitPathAndQuery } from '../../platform/integrations/paging/link-header';
import type { GovernedRequest } from '../../platform/integrations/governed/governed-request';
import { IntegrationError } from '../../platform/resilience/failure-classifier';
import type { OperationContext, SyncSource, VendorAnswer } from '../../platform/vendors/vendor-descriptor';
import { GITHUB_API_URL, githubConfiguration, isRepositoryName } from './github.configuration';
import { GitHubJson, listOf } from './operations/shared';

const PER_PAGE = '100';

/**
 * A page cursor across several repositories: which one of `configuration.repositories` (by position)
 * and the path and query of its next page, or none for that repository's first page.
 */
interface RepositoryCursor {
  repository: number;
  next?: string;
}

function baseUrlOf(context: OperationContext): URL {
  const configured = (context.configuration as { baseUrl?: unknown }).baseUrl;
  return new URL(typeof configured === 'string' ? configured : GITHUB_API_URL);
}

/** The path and query of the Link header's `next` page, relative to the connection's base URL (GitHub Enterprise Server's `/api/v3` included). */
function nextPage(answer: VendorAnswer, context: OperationContext): string | null {
  return linkNext(answer.headers, baseUrlOf(context));
}

function requestOf(pathAndQuery: string): GovernedRequest {
  return { method: 'GET', ...splitPathAndQuery(pathAndQuery) };
}

function repositoriesOf(context: OperationContext): string[] {
  const repositories = githubConfiguration(context.configuration).repositories;
  const valid = Array.isArray(repositories) ? repositories.filter(isRepositoryName) : [];
  if (valid.length === 0)
    throw IntegrationError.validation(
      'github_repositories_missing',
      `Connection ${context.connectionId} names no repositories to sync: set configuration.repositories to owner/repo names`,
    );
  return valid;
}

function parseCursor(page: string | null): RepositoryCursor {
  if (page === null) return { repository: 0 };
  try {
    const cursor = JSON.parse(page) as RepositoryCursor;
    if (Number.isInteger(cursor.repository) && cursor.repository >= 0 && (cursor.next === undefined || typeof cursor.next === 'string')) return cursor;
  } catch {
    // fall through: a cursor this source did not write
  }
  throw IntegrationError.poison('github_sync_cursor_invalid', 'The sync cursor is not one this source wrote');
}

function repositoryPath(fullName: string, collection: string): string {
  const [owner, repo] = fullName.split('/');
  return `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/${collection}`;
}

/** The cursor after this page: the repository's next page, else the next repository's first, else done. */
function advance(cursor: RepositoryCursor, next: string | null, repositoryCount: number): string | null {
  if (next !== null) return JSON.stringify({ repository: cursor.repository, next });
  return cursor.repository + 1 < repositoryCount ? JSON.stringify({ repository: cursor.repository + 1 }) : null;
}

/** Repositories the connection reaches: an organisation's (configuration.syncOrg) or the authenticated account's. Full passes. */
export const REPOSITORIES_SOURCE: SyncSource = {
  name: 'repositories',
  description: 'Repositories of configuration.syncOrg, or those the authenticated account can reach',
  incremental: false,
  request: (position, context) => {
    if (position.page !== null) return requestOf(position.page);
    const org = githubConfiguration(context.configuration).syncOrg;
    const path = typeof org === 'string' ? `/orgs/${encodeURIComponent(org)}/repos` : '/user/repos';
    return { method: 'GET', path, query: { per_page: PER_PAGE, sort: 'full_name', direction: 'asc' } };
  },
  read: (answer, _position, context) => ({
    records: listOf(answer).map((repo) => ({ id: String(repo.id), data: repo, updatedAt: typeof repo.updated_at === 'string' ? repo.updated_at : undefined })),
    next: nextPage(answer, context),
  }),
};

/**
 * Pull requests of configuration.repositories, most recently updated first: an incremental pass stops at
 * the first one updated before `since` (GitHub's pulls endpoint takes no `since`).
 */
export const PULL_REQUESTS_SOURCE: SyncSource = {
  name: 'pull_requests',
  description: 'Pull requests of configuration.repositories (owner/repo), incremental by updated_at',
  incremental: true,
  request: (position, context) => {
    const cursor = parseCursor(position.page);
    if (cursor.next) return requestOf(cursor.next);
    const repository = repositoriesOf(context)[cursor.repository];
    if (!repository) throw IntegrationError.poison('github_sync_cursor_invalid', 'The sync cursor names a repository no longer configured');
    return { method: 'GET', path: repositoryPath(repository, 'pulls'), query: { state: 'all', sort: 'updated', direction: 'desc', per_page: PER_PAGE } };
  },
  read: (answer, position, context) => {
    const cursor = parseCursor(position.page);
    const pulls = listOf(answer);
    const since = position.since === null ? undefined : Date.parse(position.since);
    const fresh = since === undefined ? pulls : pulls.filter((pull) => Date.parse(pull.updated_at) >= since);
    // Sorted by updated_at descending: once one is older than the watermark, so is the rest of this repository.
    const reachedWatermark = fresh.length < pulls.length;
    return {
      records: fresh.map((pull) => ({ id: pullId(pull), data: pull, updatedAt: pull.updated_at })),
      next: advance(cursor, reachedWatermark ? null : nextPage(answer, context), repositoriesOf(context).length),
    };
  },
};

/** Issues of configuration.repositories, by GitHub's own `since` (pull requests, which GitHub lists as issues too, are left out). */
export const ISSUES_SOURCE: SyncSource = {
  name: 'issues',
  description: 'Issues (not pull requests) of configuration.repositories (owner/repo), incremental by since',
  incremental: true,
  request: (position, context) => {
    const cursor = parseCursor(position.page);
    if (cursor.next) return requestOf(cursor.next);
    const repository = repositoriesOf(context)[cursor.repository];
    if (!repository) throw IntegrationError.poison('github_sync_cursor_invalid', 'The sync cursor names a repository no longer configured');
    const query: Record<string, string> = { state: 'all', sort: 'updated', direction: 'asc', per_page: PER_PAGE };
    if (position.since !== null) query.since = position.since;
    return { method: 'GET', path: repositoryPath(repository, 'issues'), query };
  },
  read: (answer, position, context) => {
    const cursor = parseCursor(position.page);
    const issues = listOf(answer).filter((issue) => !issue.pull_request);
    return {
      records: issues.map((issue) => ({ id: issueId(issue), data: issue, updatedAt: issue.updated_at })),
      next: advance(cursor, nextPage(answer, context), repositoriesOf(context).length),
    };
  },
};

/** Unique across repositories: GitHub's global id (numbers repeat per repository). */
function pullId(pull: GitHubJson): string {
  return String(pull.id ?? `${pull.base?.repo?.full_name}#${pull.number}`);
}

function issueId(issue: GitHubJson): string {
  return String(issue.id ?? issue.url);
}

export const GITHUB_SYNC_SOURCES: readonly SyncSource[] = [REPOSITORIES_SOURCE, PULL_REQUESTS_SOURCE, ISSUES_SOURCE];
