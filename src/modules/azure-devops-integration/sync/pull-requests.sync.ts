import { IntegrationError } from '../../../platform/resilience/failure-classifier';
import type { OperationContext, SyncPage, SyncSource } from '../../../platform/vendors/vendor-descriptor';
import { listValue, projectApi } from '../operations/azure-devops-api';
import { toPullRequest } from '../operations/git.operations';
import { isNonNegativeInteger, parseCursor, projectOf } from './sync-cursor';

export const PULL_REQUESTS_PAGE_SIZE = 100;

/** `repository`: the index into configuration.repositories (0 when the whole project is paged); `skip`: the next `$skip`. */
interface PullRequestsCursor {
  readonly repository: number;
  readonly skip: number;
}

const isCursor = (value: unknown): value is PullRequestsCursor =>
  typeof value === 'object' && value !== null && isNonNegativeInteger((value as PullRequestsCursor).repository) && isNonNegativeInteger((value as PullRequestsCursor).skip);

function scope(context: OperationContext): { project: string; repositories: readonly string[] | undefined } {
  const project = projectOf(context.configuration);
  if (!project) throw IntegrationError.validation('sync_project_missing', 'The pull_requests sync needs configuration.project');
  const { repositories } = context.configuration;
  return { project, repositories: Array.isArray(repositories) && repositories.length > 0 ? (repositories as string[]) : undefined };
}

/**
 * Pull requests in every state, of configuration.repositories or else of the whole of
 * configuration.project, paged by `$top`/`$skip` (Azure DevOps gives no change date to filter on, so
 * every pass is a full one and deletions show on completion). Lists come newest first: a pull request
 * opened during a pass pushes the rest down a place (one is read twice, none is skipped), and pull
 * requests are abandoned, not deleted, so none moves up past a page boundary.
 */
export const PULL_REQUESTS_SYNC: SyncSource = {
  name: 'pull_requests',
  description: 'Pull requests (all states) of the configured repositories or of the whole project',
  incremental: false,
  request: (position, context) => {
    const { project, repositories } = scope(context);
    const cursor = position.page === null ? { repository: 0, skip: 0 } : parseCursor(position.page, isCursor);
    const query = { 'searchCriteria.status': 'all', $top: String(PULL_REQUESTS_PAGE_SIZE), $skip: String(cursor.skip) };
    if (!repositories) return { method: 'GET', path: projectApi(project, 'git', 'pullrequests'), query };
    const repository = repositories[cursor.repository];
    if (repository === undefined) throw IntegrationError.validation('sync_cursor_invalid', 'The sync cursor names a repository no longer configured');
    return { method: 'GET', path: projectApi(project, 'git', 'repositories', repository, 'pullrequests'), query };
  },
  read: (answer, position, context): SyncPage => {
    const { repositories } = scope(context);
    const cursor = position.page === null ? { repository: 0, skip: 0 } : parseCursor(position.page, isCursor);
    const pullRequests = listValue(answer).map(toPullRequest);
    const records = pullRequests.filter((pullRequest) => pullRequest.id !== null).map((pullRequest) => ({ id: String(pullRequest.id), data: pullRequest }));
    let next: PullRequestsCursor | null = { repository: cursor.repository, skip: cursor.skip + pullRequests.length };
    // A short page ends a repository (or the project); the next configured repository starts from zero.
    if (pullRequests.length < PULL_REQUESTS_PAGE_SIZE) next = repositories && cursor.repository + 1 < repositories.length ? { repository: cursor.repository + 1, skip: 0 } : null;
    return { records, next: next === null ? null : JSON.stringify(next) };
  },
};
