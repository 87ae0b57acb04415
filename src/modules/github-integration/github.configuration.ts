/** The GitHub side of a connection's `configuration` (beside the generic baseUrl, auth, healthPath). */
export interface GitHubConfiguration {
  /** `X-GitHub-Api-Version`; default {@link DEFAULT_API_VERSION}. */
  apiVersion?: string;
  /** The GitHub App installation whose token the `github-app` auth mode mints. */
  installationId?: number | string;
  /** `owner/repo` names the pull request and issue sync sources page through. */
  repositories?: string[];
  /** The organisation whose repositories the repositories source pages (default: the authenticated user's). */
  syncOrg?: string;
}

export const GITHUB_API_URL = 'https://api.github.com';
export const DEFAULT_API_VERSION = '2022-11-28';

/** A GitHub user or organisation login. */
export const OWNER_PATTERN = '^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$';
/** A repository name: letters, digits, `.`, `_`, `-`, but not `.` or `..`. */
export const REPO_PATTERN = '^(?!\\.\\.?$)[A-Za-z0-9._-]{1,100}$';

const API_VERSION = /^\d{4}-\d{2}-\d{2}$/;
const INSTALLATION_ID = /^[1-9]\d{0,18}$/;
const OWNER = new RegExp(OWNER_PATTERN);
const REPO = new RegExp(REPO_PATTERN);

export function githubConfiguration(configuration: Readonly<Record<string, unknown>>): GitHubConfiguration {
  return configuration as GitHubConfiguration;
}

export function apiVersionOf(configuration: Readonly<Record<string, unknown>>): string {
  const { apiVersion } = githubConfiguration(configuration);
  return typeof apiVersion === 'string' && API_VERSION.test(apiVersion) ? apiVersion : DEFAULT_API_VERSION;
}

/** The installation id as GitHub's paths take it, or undefined when it is missing or malformed. */
export function installationIdOf(configuration: Readonly<Record<string, unknown>>): string | undefined {
  const { installationId } = githubConfiguration(configuration);
  const text = typeof installationId === 'number' ? String(installationId) : installationId;
  return typeof text === 'string' && INSTALLATION_ID.test(text) ? text : undefined;
}

export function isRepositoryName(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const [owner, repo, ...rest] = value.split('/');
  return rest.length === 0 && OWNER.test(owner ?? '') && REPO.test(repo ?? '');
}

export function configurationProblems(configuration: Readonly<Record<string, unknown>>): string[] {
  const { apiVersion, installationId, repositories, syncOrg } = githubConfiguration(configuration);
  const problems: string[] = [];
  if (apiVersion !== undefined && !(typeof apiVersion === 'string' && API_VERSION.test(apiVersion)))
    problems.push('configuration.apiVersion must be a GitHub API version date such as 2022-11-28');
  if (installationId !== undefined && installationIdOf(configuration) === undefined)
    problems.push('configuration.installationId must be a GitHub App installation id (a positive integer)');
  if (repositories !== undefined && !(Array.isArray(repositories) && repositories.length <= 500 && repositories.every(isRepositoryName))) {
    problems.push('configuration.repositories must be a list of at most 500 owner/repo names');
  }
  if (syncOrg !== undefined && !(typeof syncOrg === 'string' && OWNER.test(syncOrg))) problems.push('configuration.syncOrg must be a GitHub organisation login');
  return problems;
}
